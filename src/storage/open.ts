import type { ScriptDb, StorageLogger } from './db.js';
import { silentLogger } from './db.js';
import { migrate } from './migrate.js';
import { createPgDb } from './pg-db.js';
import { createPgliteDb } from './pglite-db.js';

export interface OpenDbOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
  url?: string | undefined;
  /** PGlite data directory; in-memory when absent (and no url). */
  dataDir?: string | undefined;
  /** Schema to create and use (search_path); default is the connection's default (public). */
  schema?: string | undefined;
  logger?: StorageLogger | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number | undefined;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean | undefined;
}

/** Opens the database (PostgreSQL when `url` is set, else PGlite) and applies pending migrations. */
export async function openDb(options: OpenDbOptions = {}): Promise<ScriptDb> {
  const logger = options.logger ?? silentLogger;
  const db = options.url
    ? createPgDb({ url: options.url, schema: options.schema, max: options.poolSize })
    : await createPgliteDb({ dataDir: options.dataDir, schema: options.schema });
  if (options.migrate !== false) {
    try {
      await migrate(db, { schema: options.schema, logger });
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }
  return db;
}
