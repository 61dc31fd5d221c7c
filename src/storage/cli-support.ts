import type { ScriptDb } from './db.js';
import { openDb } from './open.js';
import { KeyConfigError, Keyring } from './crypto/keyring.js';
import { SubjectHasher } from './crypto/lookup.js';

/** Shared by the storage CLI commands (inventory, requests, retention, subject). */

export const DEFAULT_DATA_DIR = '.segmentloom/data';

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

export interface DbArgs {
  'database-url'?: string | undefined;
  'data-dir'?: string | undefined;
  schema?: string | undefined;
}

/** PostgreSQL from --database-url or DATABASE_URL, else PGlite at --data-dir; migrations applied. */
export function openCliDb(values: DbArgs, env: NodeJS.ProcessEnv): Promise<ScriptDb> {
  const url = values['database-url'] ?? (env.DATABASE_URL || undefined);
  return openDb({
    url,
    dataDir: url ? undefined : (values['data-dir'] ?? DEFAULT_DATA_DIR),
    schema: values.schema ?? (env.SEGMENTLOOM_DB_SCHEMA || undefined),
  });
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
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/**
 * The lookup key (and, with `keyring`, the master keys) from the environment, before any database
 * is opened or created. A missing or bad key is a configuration error: its message, written to
 * stderr, names the variable (never key material); the caller exits with EXIT.config (78).
 */
export function keysFromEnv(env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream, command: string, options: { keyring: boolean }): { keyring: Keyring | null; hasher: SubjectHasher } | null {
  try {
    return { keyring: options.keyring ? Keyring.fromEnv(env) : null, hasher: SubjectHasher.fromEnv(env) };
  } catch (err) {
    if (!(err instanceof KeyConfigError)) throw err;
    stderr.write(`segmentloom ${command}: ${err.message}\n`);
    return null;
  }
}
