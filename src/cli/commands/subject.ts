import { open } from 'node:fs/promises';
import { exportSubject } from '../../storage/access.js';
import { exportManifest, exportToNdjson } from '../../storage/portability.js';
import { openStorage } from '../../storage/storage.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand, exactArgs } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';
import { selectorFrom, SUBJECT_OPTIONS } from './requests.js';

const HELP = `Usage: segmentloom subject export (--user-id ID | --anonymous-id ID | --email ADDRESS)
                                [--format json|ndjson|manifest] [--output FILE] [--config FILE]

Writes everything stored about a data subject (right of access and portability):
  json      (default) events (decrypted), profile traits, suppression state, masked inventory
            examples, requests, and a manifest
  ndjson    the events alone, one Segment-spec call per line, oldest first: what another service
            that speaks Segment's spec can import
  manifest  what the export holds, for a person to read: categories of data, sources, time range
Pass "-" as the identifier to read it from stdin. The output contains personal data: write it
somewhere access-controlled.

Needs the master keys and the lookup key: from --config's storage section, else
SEGMENTLOOM_MASTER_KEYS[_FILE] and SEGMENTLOOM_LOOKUP_KEY[_FILE].

${STORE_HELP}`;

export const run = defineCommand({
  name: 'subject',
  help: HELP,
  options: { ...STORE_OPTIONS, ...SUBJECT_OPTIONS, output: { type: 'string', short: 'o' }, format: { type: 'string' } },
  subcommands: ['export'],
  async handler({ values, args, io }) {
    exactArgs(args, 0, 'subject export (--user-id ID | --anonymous-id ID | --email ADDRESS)');
    const format = values.format ?? 'json';
    if (!['json', 'ndjson', 'manifest'].includes(format)) throw new UsageError('--format must be json, ndjson or manifest');
    const selector = await selectorFrom(values, io);
    const store = await storeAccess(values, io);
    // Keys first: a misconfigured call never opens (or creates) a database.
    const keys = store.keys('subject', { keyring: true });
    if (keys === null) return EXIT.config;
    const storage = await openStorage({ keyring: keys.keyring!, hasher: keys.hasher, db: await store.open() });
    try {
      const data = await exportSubject(storage, selector);
      const manifest = format === 'ndjson' ? null : await exportManifest(storage.db, data);
      const text = format === 'ndjson' ? exportToNdjson(data) : `${JSON.stringify(format === 'manifest' ? manifest : { ...data, manifest }, null, 2)}\n`;
      if (values.output) await writePrivate(values.output, text);
      else io.stdout.write(text);
      if (data.subjects.length === 0) io.stderr.write('segmentloom subject: nothing is stored for this subject\n');
      return EXIT.ok;
    } finally {
      await storage.close();
    }
  },
});

/** Decrypted personal data: owner-only, also when the file already existed with wider permissions. */
async function writePrivate(path: string, text: string): Promise<void> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.chmod(0o600);
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}
