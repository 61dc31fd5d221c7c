/**
 * The SQL seam. PostgreSQL (pg) in production, PGlite embedded by default; both speak the same SQL
 * and run the same migrations. Parameters use $1, $2 … placeholders.
 */
export interface Db {
  readonly engine: 'postgres' | 'pglite';
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A Db that can also run a multi-statement SQL script (migrations). Kept apart from `Db` because
 * only schema management needs it: with parameters, both engines accept one statement per query.
 */
export interface ScriptDb extends Db {
  exec(script: string): Promise<void>;
  transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T>;
}

/** The structured logger the storage layer writes to (core/logger's LogSink). Never given personal data. */
export type { LogSink as StorageLogger } from '../core/logger.js';
