import { cliDbTarget, DB_HELP, DB_OPTIONS, openCliDb } from '../db-options.js';
import { silentLogger } from '../../core/logger.js';
import { migrate } from '../../storage/migrate.js';
import { describePostgres } from '../../storage/store-missing.js';
import { EXIT } from '../io.js';
import { defineCommand, exactArgs } from '../registry.js';

const HELP = `Usage: segmentloom init [--data-dir DIR | --database-url URL] [--schema NAME]

Creates the store — the embedded PGlite directory, or the schema in PostgreSQL — and applies the
migrations; on an existing store, applies the pending ones. Prints
{"store": where, "applied": [versions], "version": n}.

The commands that act on stored data (inventory, requests, subject, retention, keys) never create
a store: pointed at one that does not exist, they fail and say so. \`run\` (with a storage section)
and \`serve\` create theirs when missing. Run init before \`segmentloom keys create\` on a new
deployment.

${DB_HELP}`;

export const run = defineCommand({
  name: 'init',
  help: HELP,
  options: DB_OPTIONS,
  async handler({ values, args, io }) {
    exactArgs(args, 0, 'init [--data-dir DIR | --database-url URL] [--schema NAME]');
    const target = cliDbTarget(values, io.env);
    const db = await openCliDb(values, io.env, { create: true, migrate: false });
    try {
      const result = await migrate(db, { schema: target.schema, logger: silentLogger() });
      const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
      const store = `${target.url ? describePostgres(target.url) : target.dataDir!}, schema "${row!.schema}"`;
      io.stdout.write(`${JSON.stringify({ store, applied: result.applied, version: result.current })}\n`);
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});
