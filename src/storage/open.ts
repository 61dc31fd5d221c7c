import { resolve } from 'node:path';
import type { ScriptDb, StorageLogger } from './db.js';
import { silentLogger } from '../core/logger.js';
import { migrate } from './migrate.js';
import { createPgDb } from './pg-db.js';
import { createPgliteDb } from './pglite-db.js';
import { assertInitialised, describePostgres, StoreNotFoundError } from './store-missing.js';

/** The embedded store's directory, relative to the working directory, when config and flags name none. */
export const DEFAULT_DATA_DIR = '.segmentloom/data';

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
  /**
   * Create the store when it does not exist (default true: engines, the API server, `init`).
   * With false, only a store that exists and was initialised is opened — a missing PGlite
   * directory, database or schema, or one without `schema_migrations`, is a StoreNotFoundError
   * and nothing is created. An existing store on an older migration is still migrated forward.
   */
  create?: boolean | undefined;
}

/** Opens the database (PostgreSQL when `url` is set, else PGlite) and applies pending migrations. */
export async function openDb(options: OpenDbOptions = {}): Promise<ScriptDb> {
  const logger = options.logger ?? silentLogger();
  const create = options.create !== false;
  if (!create && !options.url && !options.dataDir) throw new Error('openDb: create: false needs a url or a dataDir (an in-memory store is always new)');
  const db = options.url
    ? createPgDb({ url: options.url, schema: options.schema, max: options.poolSize })
    : await createPgliteDb({
        dataDir: options.dataDir,
        schema: options.schema,
        create,
        // The template holds the current migrations in the default schema: for a store migrated on open there.
        fromTemplate: options.migrate !== false && options.schema === undefined,
      });
  try {
    if (!create) {
      const where = options.url
        ? (database: string) => describePostgres(options.url!, database)
        : () => `the embedded database at ${resolve(options.dataDir!)}`;
      await assertInitialised(db, { schema: options.schema, where }).catch((err: unknown) => {
        // PostgreSQL answers a connection to a missing database with SQLSTATE 3D000.
        if (options.url && (err as { code?: unknown }).code === '3D000') {
          throw new StoreNotFoundError(`no Segmentloom store in ${describePostgres(options.url)}: the database does not exist`);
        }
        throw err;
      });
    }
    if (options.migrate !== false) await migrate(db, { schema: options.schema, logger });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
