import { randomBytes } from 'node:crypto';
import { access, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Document, isMap, isScalar, parseDocument, type Pair } from 'yaml';
import { ConfigError } from '../../config/errors.js';
import { ENGINE_KEYS } from '../../config/schema.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand, exactArgs } from '../registry.js';

const HELP = `Usage: segmentloom config split-policies --config FILE [--out POLICIES.yaml]

Moves the policy sections kept inline in an engine config (hashing, policies, destinations,
consentDefault, …) into a policy file and rewrites the config to name it (\`policyFile:\`), so the
policies can be managed with \`segmentloom policies\` or the API and hot-reloaded by engines.
Comments travel with the sections they annotate; the rest of the config is left as written.

Options:
  -c, --config FILE   the engine config to rewrite (required)
  --out FILE          the policy file to create (default: policies.yaml next to the config;
                      relative paths are relative to the config's directory). Never overwritten.
  -h, --help          this help
`;

export const run = defineCommand({
  name: 'config',
  help: HELP,
  options: { config: { type: 'string', short: 'c' }, out: { type: 'string' } },
  subcommands: ['split-policies'],
  async handler({ values, args, io }) {
    exactArgs(args, 0, 'config split-policies --config FILE [--out FILE]');
    if (values.config === undefined) throw new UsageError('config split-policies needs --config FILE');
    const configFile = resolve(values.config);
    let text: string;
    try {
      text = await readFile(configFile, 'utf8');
    } catch {
      throw new ConfigError(`${configFile}: cannot read the file`, configFile);
    }
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) throw new ConfigError(`${configFile}: invalid YAML (${doc.errors[0]!.code})`, configFile);
    if (!isMap(doc.contents)) throw new ConfigError(`${configFile}: (root): expected a YAML mapping`, configFile, '(root)');
    const keyOf = (pair: Pair<unknown, unknown>) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
    const items = doc.contents.items;
    if (items.some((pair) => keyOf(pair) === 'policyFile')) {
      throw new ConfigError(`${configFile}: policyFile: the config names a policy file already; its policies live there`, configFile, 'policyFile');
    }
    const moved = items.filter((pair) => !ENGINE_KEYS.has(keyOf(pair)));
    if (moved.length === 0) throw new ConfigError(`${configFile}: the config has no inline policy sections to move`, configFile);

    const base = dirname(configFile);
    const out = values.out === undefined ? join(base, 'policies.yaml') : isAbsolute(values.out) ? values.out : resolve(base, values.out);
    if (await exists(out)) throw new UsageError(`${out} exists: choose another --out (it is never overwritten)`);

    const policies = new Document({});
    const map = policies.contents as unknown as { items: Pair<unknown, unknown>[] };
    map.items.push(...moved);
    doc.contents.items = items.filter((pair) => !moved.includes(pair));
    const reference = relative(base, out);
    doc.set('policyFile', reference.startsWith('..') ? out : `./${reference}`);

    // The policy file first (created exclusively), then the config replaced atomically: a crash
    // between the two leaves the old config working and a spare policy file, never a config naming
    // a file that is missing.
    // Both files may hold credentials (hashing secrets, Kafka passwords): they keep the config's permissions.
    const mode = (await stat(configFile)).mode & 0o777;
    await writeFile(out, policies.toString(), { flag: 'wx', mode });
    const temp = join(base, `.${basename(configFile)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, doc.toString(), { flag: 'wx', mode });
      await rename(temp, configFile);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    io.stdout.write(`moved ${moved.map(keyOf).join(', ')} to ${out}; ${configFile} now names it as policyFile\n`);
    return EXIT.ok;
  },
});

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
