import { resolve } from 'node:path';
import type { ScriptDb } from '../storage/db.js';
import { DEFAULT_DATA_DIR, openDb } from '../storage/open.js';
import { StoreNotFoundError } from '../storage/store-missing.js';
import { KeyConfigError, Keyring } from '../storage/crypto/master-keys.js';
import { SubjectHasher } from '../storage/crypto/lookup.js';
import { ReceiptSigner } from '../storage/crypto/receipt-signing.js';

/** Shared by the storage CLI commands (inventory, requests, retention, subject, keys, serve, init). */

export { DEFAULT_DATA_DIR };

/** parseArgs options every storage command accepts. */
export const DB_OPTIONS = {
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
  schema: { type: 'string' },
} as const;

export const DB_HELP = `Database:
  --database-url URL  PostgreSQL (default: $DATABASE_URL)
  --data-dir DIR      embedded PGlite directory when no URL is given (default ${DEFAULT_DATA_DIR})
  --schema NAME       schema to use (default: $SEGMENTLOOM_DB_SCHEMA, else public)
`;

/** How to point a command at the right store, appended to a StoreNotFoundError. */
const STORE_HINT = `Nothing was created. Point the command at the existing store (the engine config's storage section):
  embedded:    --data-dir DIR (storage.dataDir; relative to the working directory, default ${DEFAULT_DATA_DIR})
  PostgreSQL:  --database-url URL or $DATABASE_URL (storage.databaseUrl), --schema NAME or $SEGMENTLOOM_DB_SCHEMA (storage.schema)
To create a new store, run \`segmentloom init\` with the same options.`;

export interface DbArgs {
  'database-url'?: string | undefined;
  'data-dir'?: string | undefined;
  schema?: string | undefined;
}

/** Which store the options name: PostgreSQL from --database-url or DATABASE_URL, else PGlite at --data-dir (absolute). */
export function cliDbTarget(values: DbArgs, env: NodeJS.ProcessEnv): { url: string | undefined; dataDir: string | undefined; schema: string | undefined } {
  const url = values['database-url'] ?? (env.DATABASE_URL || undefined);
  return {
    url,
    dataDir: url ? undefined : resolve(values['data-dir'] ?? DEFAULT_DATA_DIR),
    schema: values.schema ?? (env.SEGMENTLOOM_DB_SCHEMA || undefined),
  };
}

/**
 * Opens the store the options name, applying pending migrations. Only an existing, initialised
 * store is opened unless `create` is set (commands whose job is to create it: `init`, `serve`):
 * a command run from the wrong directory or with a mistyped schema fails with a
 * StoreNotFoundError instead of acting on a new, empty store.
 */
export async function openCliDb(values: DbArgs, env: NodeJS.ProcessEnv, options: { create?: boolean; migrate?: boolean } = {}): Promise<ScriptDb> {
  try {
    return await openDb({ ...cliDbTarget(values, env), create: options.create ?? false, migrate: options.migrate });
  } catch (err) {
    if (err instanceof StoreNotFoundError) throw new StoreNotFoundError(`${err.message}.\n${STORE_HINT}`);
    throw err;
  }
}

/**
 * An identifier from the command line; `-` reads it from stdin instead, so personal identifiers
 * need not appear in shell history or the process list.
 */
export async function identifierArg(value: string, stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (value !== '-') return value;
  let text = '';
  for await (const chunk of stdin ?? process.stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0]!.trim();
}

/** A plain aligned text table; cells longer than `max` are cut with an ellipsis. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>, max = 48): string {
  const text = (v: string | number | null) => {
    const s = v === null ? '-' : String(v).replace(/[\r\n\t]/g, ' ');
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const cells = rows.map((r) => r.map(text));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/**
 * The lookup key (and, with `keyring`, the master keys) from the environment, before any database
 * is opened or created. A missing or bad key is a configuration error: its message, written to
 * stderr, names the variable (never key material); the caller exits with EXIT.config (78).
 */
export function keysFromEnv(
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
  command: string,
  options: { keyring: boolean },
): { keyring: Keyring | null; hasher: SubjectHasher; receiptSigner: ReceiptSigner | null } | null {
  try {
    return { keyring: options.keyring ? Keyring.fromEnv(env) : null, hasher: SubjectHasher.fromEnv(env), receiptSigner: ReceiptSigner.fromEnv(env) };
  } catch (err) {
    if (!(err instanceof KeyConfigError)) throw err;
    stderr.write(`segmentloom ${command}: ${err.message}\n`);
    return null;
  }
}
