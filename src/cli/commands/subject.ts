import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { exportSubject } from '../../storage/access.js';
import { DB_HELP, DB_OPTIONS, keysFromEnv, openCliDb } from '../db-options.js';
import { openStorage } from '../../storage/storage.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { selectorFrom, SUBJECT_OPTIONS } from './requests.js';

const HELP = `Usage: segmentloom subject export (--user-id ID | --anonymous-id ID | --email ADDRESS) [--output FILE]

Writes everything stored about a data subject as JSON: events (decrypted), profile traits,
suppression state, masked inventory examples and requests. Pass "-" as the identifier to read it
from stdin. The output contains personal data: write it somewhere access-controlled.

Needs the master keys (SEGMENTLOOM_MASTER_KEYS or SEGMENTLOOM_MASTER_KEYS_FILE) and the lookup
key (SEGMENTLOOM_LOOKUP_KEY or SEGMENTLOOM_LOOKUP_KEY_FILE).

${DB_HELP}`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...DB_OPTIONS,
      ...SUBJECT_OPTIONS,
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    io.stdout.write(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (positionals.length !== 1 || positionals[0] !== 'export') throw new UsageError('usage: segmentloom subject export --user-id ID');
  const selector = await selectorFrom(values, io);
  // Keys first: a misconfigured call never opens (or creates) a database.
  const keys = keysFromEnv(io.env, io.stderr, 'subject', { keyring: true });
  if (keys === null) return EXIT.config;
  const storage = await openStorage({ keyring: keys.keyring!, hasher: keys.hasher, db: await openCliDb(values, io.env) });
  try {
    const data = await exportSubject(storage, selector);
    const text = `${JSON.stringify(data, null, 2)}\n`;
    if (values.output) await writePrivate(values.output, text);
    else io.stdout.write(text);
    if (data.subjects.length === 0) io.stderr.write('segmentloom subject: nothing is stored for this subject\n');
    return EXIT.ok;
  } finally {
    await storage.close();
  }
}

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
