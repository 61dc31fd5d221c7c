import { resolve } from 'node:path';
import { checkDemoKeys } from '../config/demo-keys.js';
import { ConfigError } from '../config/errors.js';
import type { EngineConfig } from '../config/load.js';
import type { ScriptDb } from '../storage/db.js';
import { DB_HELP, DB_OPTIONS, DEFAULT_DATA_DIR, keysFromEnv, openCliDb, type DbArgs } from './db-options.js';
import { storageKeys } from '../storage/config-keys.js';
import { KeyConfigError, type Keyring } from '../storage/crypto/master-keys.js';
import type { SubjectHasher } from '../storage/crypto/lookup.js';
import { ReceiptSigner } from '../storage/crypto/receipt-signing.js';
import { UsageError, type CliIo } from './io.js';

/**
 * How every command that opens the store finds it and its keys: `--config FILE` reads the engine
 * config's `storage` section (location, schema, master and lookup keys, each falling back to the
 * environment) exactly as `segmentloom run` does, so what the engine wrote the CLI can read with
 * no hand-copied secret. Without --config: the --database-url/--data-dir/--schema flags and the
 * SEGMENTLOOM_* key variables, as before.
 */

export const STORE_OPTIONS = { ...DB_OPTIONS, config: { type: 'string', short: 'c' } } as const;

export const STORE_HELP = `Store:
  -c, --config FILE   the engine config: storage location, schema and keys are read from its
                      storage section exactly as the engine does (keys it leaves out come from
                      the SEGMENTLOOM_* variables). Not combined with the flags below.
${DB_HELP}`;

export interface StoreArgs extends DbArgs {
  config?: string | undefined;
}

export interface StoreKeys {
  keyring: Keyring | null;
  hasher: SubjectHasher;
  receiptSigner: ReceiptSigner | null;
}

/** A command's view of the store: where it is and, on demand, its keys. */
export interface StoreAccess {
  /** The loaded engine config, with --config. */
  config: EngineConfig | null;
  open(options?: { create?: boolean; migrate?: boolean }): Promise<ScriptDb>;
  /** Keys, or null after writing the reason to stderr (exit 78). */
  keys(command: string, options: { keyring: boolean }): StoreKeys | null;
}

export async function storeAccess(values: StoreArgs, io: CliIo): Promise<StoreAccess> {
  if (values.config === undefined) {
    return {
      config: null,
      open: (options) => openCliDb(values, io.env, options),
      keys: (command, options) => keysFromEnv(io.env, io.stderr, command, options),
    };
  }
  const given = (['database-url', 'data-dir', 'schema'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new UsageError(`--config names the store already: leave out --${given.join(', --')} (or --config)`);
  const { loadEngineConfig } = await import('../config/load.js');
  const config = await loadEngineConfig(values.config, io.env);
  const storage = config.storage;
  if (storage === undefined) throw new ConfigError(`${config.file}: storage: the config has no storage section, so it names no store`, config.file, 'storage');
  // The same rule as the engine: demo keys only for the embedded store, with a warning.
  checkDemoKeys(config, storage.databaseUrl === undefined, (message) => io.stderr.write(`segmentloom: warning: ${message}\n`));
  const target: DbArgs = storage.databaseUrl
    ? { 'database-url': storage.databaseUrl, schema: storage.schema }
    : { 'data-dir': storage.dataDir ?? resolve(DEFAULT_DATA_DIR), schema: storage.schema };
  // The config decides: DATABASE_URL / SEGMENTLOOM_DB_SCHEMA reach it through ${...} references only.
  const env = { ...io.env, DATABASE_URL: '', SEGMENTLOOM_DB_SCHEMA: '' };
  return {
    config,
    open: (options) => openCliDb(target, env, options),
    keys: (command, options) => {
      const { keyring, hasher } = storageKeys(storage, config.file, io.env);
      let receiptSigner: ReceiptSigner | null;
      try {
        receiptSigner = ReceiptSigner.fromEnv(io.env);
      } catch (err) {
        if (!(err instanceof KeyConfigError)) throw err;
        io.stderr.write(`segmentloom ${command}: ${err.message}\n`);
        return null;
      }
      return { keyring: options.keyring ? keyring : null, hasher, receiptSigner };
    },
  };
}
