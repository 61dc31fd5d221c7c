import { resolve } from 'node:path';
import type { ServeConfig } from '../api/serve-config.js';
import { checkDemoKeys } from '../config/demo-keys.js';
import type { EngineConfig } from '../config/load.js';
import { storageKeys } from '../storage/config-keys.js';
import { ReceiptSigner } from '../storage/crypto/receipt-signing.js';
import { DEFAULT_DATA_DIR, type DbArgs } from './db-options.js';
import type { CliIo } from './io.js';
import type { StoreKeys } from './store.js';

/**
 * `serve --config`: when the config has a storage section, the store and its keys come from it
 * exactly as the engine reads them (master and lookup keys in the section, else the
 * SEGMENTLOOM_* variables; the public demo keys only for the embedded store), so the API opens what
 * the engine wrote with no hand-copied secret. --database-url/--data-dir/--schema, when given,
 * still name the location. Null without a storage section: the flags and the environment, as before.
 */
export function serveStoreFromConfig(values: DbArgs, config: ServeConfig, io: CliIo): { target: DbArgs; env: NodeJS.ProcessEnv; keys: StoreKeys } | null {
  const storage = config.storage;
  if (storage === null) return null;
  // Location flags still win over the section (as before this read it): the keys come from it regardless.
  const flagged = (['database-url', 'data-dir', 'schema'] as const).some((flag) => values[flag] !== undefined);
  checkDemoKeys({ file: config.file, storage, policy: {} } as unknown as EngineConfig, storage.databaseUrl === undefined, (message) =>
    io.stderr.write(`segmentloom: warning: ${message}\n`),
  );
  const { keyring, hasher } = storageKeys(storage, config.file, io.env);
  const keys = { keyring, hasher, receiptSigner: ReceiptSigner.fromEnv(io.env) };
  if (flagged) return { target: values, env: io.env, keys };
  const target: DbArgs = storage.databaseUrl
    ? { 'database-url': storage.databaseUrl, schema: storage.schema }
    : { 'data-dir': storage.dataDir ?? resolve(DEFAULT_DATA_DIR), schema: storage.schema };
  // The config decides: DATABASE_URL / SEGMENTLOOM_DB_SCHEMA reach it through ${...} references only.
  return { target, env: { ...io.env, DATABASE_URL: '', SEGMENTLOOM_DB_SCHEMA: '' }, keys };
}
