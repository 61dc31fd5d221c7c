import { DataKeys } from '../../storage/crypto/data-keys.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';
import { batchSizeFlag, EXIT } from '../io.js';
import { defineCommand, exactArgs } from '../registry.js';

const HELP = `Usage: segmentloom master-keys <status | rotate> [--batch-size N]

Master-key rotation, online (engines keep running):
  1. add the new version to SEGMENTLOOM_MASTER_KEYS (keep the old one) and roll the engines;
  2. segmentloom master-keys rotate   re-wraps every data key under the newest version, in
     batches of N (default 500), then vacuums the key table so the old wrappings are not left on
     disk; events are not re-encrypted;
  3. segmentloom master-keys status   how many data keys each version wraps; once the old version
     wraps none, remove it from SEGMENTLOOM_MASTER_KEYS and destroy it.
Prints JSON. Needs the master and lookup keys: --config's storage section, else SEGMENTLOOM_MASTER_KEYS (or
_FILE) and SEGMENTLOOM_LOOKUP_KEY (or _FILE).

${STORE_HELP}`;

export const run = defineCommand({
  name: 'master-keys',
  help: HELP,
  options: { ...STORE_OPTIONS, 'batch-size': { type: 'string' } },
  subcommands: ['status', 'rotate'],
  async handler({ values, sub: command, args, io }) {
    exactArgs(args, 0, 'master-keys <status | rotate> [--batch-size N]');
    const batchSize = batchSizeFlag(values['batch-size'], 500);
    const store = await storeAccess(values, io);
    const keys = store.keys('master-keys', { keyring: true });
    if (keys === null) return EXIT.config;
    const db = await store.open();
    try {
      const dataKeys = new DataKeys(db, keys.keyring!);
      const current = keys.keyring!.current.version;
      if (command === 'rotate') {
        const result = await dataKeys.rewrap({ batchSize });
        io.stdout.write(`${JSON.stringify({ currentVersion: current, ...result, versions: await dataKeys.masterVersionsInUse() })}\n`);
      } else {
        io.stdout.write(`${JSON.stringify({ currentVersion: current, versions: await dataKeys.masterVersionsInUse() })}\n`);
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
});
