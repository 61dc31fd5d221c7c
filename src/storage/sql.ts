/** Small helpers shared by the storage modules: identifier quoting and engine-neutral row values. */
import type { Db } from './db.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes a schema name for SQL. Only plain identifiers are accepted: schema names come from config. */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error('invalid SQL identifier: use letters, digits and underscores (max 63)');
  return `"${name}"`;
}

/** int8/numeric come back as number (PGlite) or string (pg's numeric); both become a number here. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  return 0;
}

export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

export function buf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected a bytea value');
}

/** True for errors worth retrying the whole transaction for (deadlock, serialization failure). */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Runs `work` up to `attempts` times while it fails with a retryable database error. */
export async function withRetry<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
    }
  }
}

/** A log/receipt-safe description of an error: name and SQLSTATE only (driver messages can quote row values). */
export function safeErrorLabel(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.name} (SQLSTATE ${code})` : err.name;
}

/** How many rows a data-modifying statement with `RETURNING 1` touched, counted in the database (no rows shipped). */
export async function countAffected(db: Db, returningSql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(`WITH done AS (${returningSql}) SELECT count(*)::int AS n FROM done`, params);
  return row?.n ?? 0;
}
