import { parseArgs } from 'node:util';
import { DB_HELP, DB_OPTIONS, openCliDb } from '../db-options.js';
import { DataKeys } from '../../storage/crypto/data-keys.js';
import { Keyring } from '../../storage/crypto/master-keys.js';
import { sweepExpired } from '../../storage/retention.js';
import { batchSizeFlag, EXIT, UsageError, type CliIo } from '../io.js';

const HELP = `Usage: segmentloom retention sweep [--batch-size N]

Deletes stored events whose retention period has passed (expiry is fixed when an event is
stored, from the retention config then in force), in batches of N rows (default 1000), and
forgets erasure times older than 30 days (events that arrived before an erasure are dropped
if they are written after it; past that window none are expected).
With the master keys in the environment (SEGMENTLOOM_MASTER_KEYS[_FILE]) it then authenticates
every remaining event against its clear columns (name, type, timestamps, expiry), re-seals rows
written before they were bound, and lists tampered rows (exit status 1 when there are any).
Prints {"events": deleted, "batches": n, "erasureTimes": forgotten, "verified"?: {...}}.

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
  const batchSize = batchSizeFlag(values['batch-size'], 1_000);
  const keyring = io.env.SEGMENTLOOM_MASTER_KEYS || io.env.SEGMENTLOOM_MASTER_KEYS_FILE ? Keyring.fromEnv(io.env) : null;
  const db = await openCliDb(values, io.env);
  try {
    const result = await sweepExpired(db, { batchSize, ...(keyring ? { dataKeys: new DataKeys(db, keyring) } : {}) });
    io.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.verified) io.stderr.write('segmentloom retention: no master keys in the environment: stored events were not verified\n');
    if (result.verified && result.verified.tampered.length > 0) {
      io.stderr.write(`segmentloom retention: ${result.verified.tampered.length} stored event(s) fail authentication (clear columns or payload changed in the database): rows ${result.verified.tampered.slice(0, 20).join(', ')}\n`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
