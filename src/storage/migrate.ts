import { createHash } from 'node:crypto';
import type { ScriptDb, StorageLogger } from './db.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { quoteIdent } from './sql.js';

export interface MigrationResult {
  applied: number[];
  current: number;
}

/**
 * Brings the schema up to date in one transaction. The advisory lock (scoped to the schema) makes
 * engine processes that start together take turns: the first applies, the others find nothing to do.
 */
export async function migrate(
  db: ScriptDb,
  options: { schema?: string | undefined; logger: StorageLogger; migrations?: readonly Migration[] },
): Promise<MigrationResult> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`segmentloom:migrate:${options.schema ?? ''}`]);
    if (options.schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const migration of migrations) {
      const checksum = checksumOf(migration);
      const recorded = done.get(migration.version);
      if (recorded !== undefined) {
        // An applied migration edited afterwards means environments diverge; say so, don't guess.
        if (recorded !== checksum) options.logger.warn({ version: migration.version, name: migration.name }, 'applied migration has changed since it ran');
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, checksum]);
      options.logger.info({ version: migration.version, name: migration.name }, 'applied migration');
      applied.push(migration.version);
    }
    const current = Math.max(0, ...migrations.map((m) => m.version), ...done.keys());
    return { applied, current };
  });
}

function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}
