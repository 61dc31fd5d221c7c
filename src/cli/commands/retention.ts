import { parseArgs } from 'node:util';
import { DB_HELP, DB_OPTIONS, openCliDb } from '../../storage/cli-support.js';
import { sweepExpired } from '../../storage/retention.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

const HELP = `Usage: segmentloom retention sweep [--batch-size N]

Deletes stored events whose retention period has passed (expiry is fixed when an event is
stored, from the retention config then in force), in batches of N rows (default 1000), and
forgets erasure times older than 30 days (events that arrived before an erasure are dropped
if they are written after it; past that window none are expected).
Prints {"events": deleted, "batches": n, "erasureTimes": forgotten}.

${DB_HELP}`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...DB_OPTIONS, 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length === 0) {
    io.stdout.write(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (positionals.length !== 1 || positionals[0] !== 'sweep') throw new UsageError('usage: segmentloom retention sweep [--batch-size N]');
  const batchSize = values['batch-size'] === undefined ? 1_000 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError('--batch-size must be an integer from 1 to 100000');
  const db = await openCliDb(values, io.env);
  try {
    const result = await sweepExpired(db, { batchSize });
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
