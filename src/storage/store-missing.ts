import { SegmentloomError } from '../core/errors.js';
import type { Db } from './db.js';

/**
 * The store a caller asked to open without creating (`openDb({ create: false })`) does not exist
 * or was never initialised. Nothing was created. The message names what is missing (the absolute
 * directory, or the schema and database — never a connection string, which may hold a password).
 */
export class StoreNotFoundError extends SegmentloomError {
  override name = 'StoreNotFoundError';
  constructor(message: string) {
    super('SLOOM_ERR_STORE_NOT_FOUND', message);
  }
}

/** Where a PostgreSQL store lives, for messages: database and host, never credentials. */
export function describePostgres(url: string, database?: string): string {
  let host = '';
  let name = database;
  try {
    const parsed = new URL(url);
    host = parsed.host;
    name ??= decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  } catch {
    // Not a URL (a keyword connection string): say nothing about it.
  }
  return `database "${name || '(default)'}"${host ? ` on ${host}` : ''}`;
}

/**
 * Throws unless the schema exists and holds the migrations table (the mark of a store that was
 * initialised). Without `schema`, the schema checked is the one migrations would use: the first
 * existing schema of the search_path. `where` describes the database for the message.
 */
export async function assertInitialised(db: Db, options: { schema?: string | undefined; where: (database: string) => string }): Promise<void> {
  const [row] = await db.query<{ database: string; schema: string | null; exists: boolean; migrated: boolean }>(
    `SELECT current_database() AS database,
            s.name AS schema,
            EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s.name) AS exists,
            to_regclass(format('%I.schema_migrations', s.name)) IS NOT NULL AS migrated
       FROM (SELECT COALESCE($1::text, current_schema()) AS name) s`,
    [options.schema ?? null],
  );
  const where = options.where(row!.database);
  if (row!.schema === null) throw new StoreNotFoundError(`no Segmentloom store in ${where}: no schema of the search_path exists`);
  if (!row!.exists) throw new StoreNotFoundError(`no Segmentloom store in ${where}: schema "${row!.schema}" does not exist`);
  if (!row!.migrated)
    throw new StoreNotFoundError(`no Segmentloom store in ${where}: schema "${row!.schema}" was never initialised (it has no schema_migrations table)`);
}
