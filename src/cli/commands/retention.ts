import { storageKeys } from '../../storage/config-keys.js';
import { DataKeys } from '../../storage/crypto/data-keys.js';
import { Keyring } from '../../storage/crypto/master-keys.js';
import { countExpired, sideRetention, sweepExpired } from '../../storage/retention.js';
import { batchSizeFlag, EXIT } from '../io.js';
import { defineCommand, exactArgs } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';

const HELP = `Usage: segmentloom retention sweep [--batch-size N] [--dry-run] [--config FILE]

Deletes stored events whose retention period has passed (the period is fixed when an event is
stored, from the retention config then in force; it counts from receipt, or with --config's
storage.retention.from: timestamp from the event's own timestamp when earlier), in batches
of N rows (default 1000), and forgets erasure times older than 30 days (events that arrived
before an erasure are dropped if they are written after it; past that window none are expected).
With the master keys in the environment (SEGMENTLOOM_MASTER_KEYS[_FILE]) it then authenticates
every remaining event against its clear columns (name, type, timestamps, expiry), re-seals rows
written before they were bound, and lists tampered rows (exit status 1 when there are any).
Prints {"events": deleted, "batches": n, "erasureTimes": forgotten, "verified"?: {...}}.

--dry-run deletes nothing: it prints how many stored events a sweep would delete now, per event
name with the oldest expiry, as {"dryRun": true, "events": n, "byEvent": [...]}.
The master keys come from --config's storage section, else the environment.

${STORE_HELP}`;

export const run = defineCommand({
  name: 'retention',
  help: HELP,
  options: { ...STORE_OPTIONS, 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  subcommands: ['sweep'],
  async handler({ values, args, io }) {
    exactArgs(args, 0, 'retention sweep [--batch-size N] [--dry-run]');
    const batchSize = batchSizeFlag(values['batch-size'], 1_000);
    const store = await storeAccess(values, io);
    const keyring =
      store.config?.storage !== undefined &&
      (store.config.storage.masterKeys !== undefined || io.env.SEGMENTLOOM_MASTER_KEYS || io.env.SEGMENTLOOM_MASTER_KEYS_FILE)
        ? storageKeys(store.config.storage, store.config.file, io.env).keyring
        : io.env.SEGMENTLOOM_MASTER_KEYS || io.env.SEGMENTLOOM_MASTER_KEYS_FILE
          ? Keyring.fromEnv(io.env)
          : null;
    // With --config, storage.retention (where the clock starts, examples and outbox ages) applies.
    const side = store.config?.storage !== undefined ? sideRetention(store.config.storage.retention) : sideRetention();
    const db = await store.open();
    try {
      if (values['dry-run']) {
        io.stdout.write(`${JSON.stringify({ dryRun: true, ...(await countExpired(db, { from: side.from })) })}\n`);
        return EXIT.ok;
      }
      const result = await sweepExpired(db, { batchSize, ...side, ...(keyring ? { dataKeys: new DataKeys(db, keyring) } : {}) });
      io.stdout.write(`${JSON.stringify(result)}\n`);
      if (!result.verified) io.stderr.write('segmentloom retention: no master keys (config or environment): stored events were not verified\n');
      if (result.verified && result.verified.tampered.length > 0) {
        io.stderr.write(
          `segmentloom retention: ${result.verified.tampered.length} stored event(s) fail authentication (clear columns or payload changed in the database): rows ${result.verified.tampered.slice(0, 20).join(', ')}\n`,
        );
        return EXIT.failure;
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});
