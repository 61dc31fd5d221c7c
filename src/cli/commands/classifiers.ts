import { readFile } from 'node:fs/promises';
import { BUILTIN_CLASSIFIERS_DIR, Detector, loadClassifierSet, parseClassifierFile, type CompiledClassifier } from '../../detect/index.js';
import { VALIDATOR_DESCRIPTIONS, VALIDATORS } from '../../detect/index.js';
import { EVENT_TYPES, PathTrie, type Leaf } from '../../events/index.js';
import { explainSample } from '../../inventory/classifier-try.js';
import { classifierStoreCommand, STORE_SUBCOMMANDS, type StoreSubcommand } from '../classifier-store.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { defineCommand, json, oneOf } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS } from '../store.js';

const HELP = `Usage: segmentloom classifiers <command> [options]

  list                       the classifiers in force (id, classification, fideslang category, file)
  validate                   load and check classifier files; non-zero exit on any problem
  validators                 the named value validators a classifier may use: what each checks, the
                             standard it follows
  test SAMPLE...             show which classifier fires for each sample, and why

With --config FILE (the engine config: its classifier directories and its store), as the API does
(validated by the engine loader, every write a version with an audit entry, actor cli):
  show ID                    the definition in force for ID and its latest version
  diff ID FILE               unified diff from the definition in force to FILE (exit 1 when they differ)
  apply FILE                 write FILE (one classifier) to the custom directory as a new version
  versions ID                versions written through the API or the CLI, newest first
  rollback ID VERSION        write the content of VERSION again, as a new version

A SAMPLE is PATH=VALUE, e.g. properties.userEmail=jane@example.com or 'traits["ip adrs"]=10.1.2.3'.
VALUE is read as JSON when it parses (42, true, null), else as text.

Options:
  --classifiers DIR          classifier directory (repeatable; default: the built-in set)
  --file FILE                also load this classifier file, overriding ids it redefines
  --format table|json        output format (default table)
  --call TYPE                test: the samples belong to a call of this type (track, identify, page,
                             screen, group, alias; default track). In a group call, top-level traits
                             describe the group: traits.name is a company's name there
  -h, --help                 this help

${STORE_HELP}`;

const LOCAL_SUBCOMMANDS = ['list', 'validate', 'validators', 'test'] as const;

export const run = defineCommand({
  name: 'classifiers',
  help: HELP,
  options: {
    ...STORE_OPTIONS,
    classifiers: { type: 'string', multiple: true },
    file: { type: 'string', multiple: true },
    format: { type: 'string', default: 'table' },
    call: { type: 'string', default: 'track' },
  },
  subcommands: [...LOCAL_SUBCOMMANDS, ...STORE_SUBCOMMANDS],
  async handler({ values, sub, args, io }) {
    const format = oneOf(values.format!, ['table', 'json'] as const, '--format');
    const call = oneOf(values.call!, EVENT_TYPES, '--call');
    if ((STORE_SUBCOMMANDS as readonly string[]).includes(sub!)) return classifierStoreCommand(sub as StoreSubcommand, args, values, io);
    if (sub === 'validators') return validators(format, io);
    const classifiers = await load(values.classifiers, values.file);
    switch (sub) {
      case 'list':
        return list(classifiers, format, io);
      case 'validate':
        io.stdout.write(`ok: ${classifiers.length} classifiers\n`);
        return EXIT.ok;
      default:
        if (args.length === 0) throw new UsageError('test needs at least one PATH=VALUE sample');
        return test(classifiers, args, format, call, io);
    }
  },
});

function validators(format: string, io: CliIo): number {
  const rows = Object.keys(VALIDATORS)
    .sort()
    .map((name) => ({ name, checks: VALIDATOR_DESCRIPTIONS[name]?.checks ?? '', standard: VALIDATOR_DESCRIPTIONS[name]?.standard ?? null }));
  if (format === 'json') {
    io.stdout.write(json(rows));
    return EXIT.ok;
  }
  io.stdout.write(rows.map((row) => `${row.name}\n  checks:   ${row.checks}\n  standard: ${row.standard ?? '(none to cite)'}\n`).join(''));
  return EXIT.ok;
}

async function load(dirs: string[] | undefined, files: string[] | undefined): Promise<CompiledClassifier[]> {
  const set = await loadClassifierSet(dirs ?? [BUILTIN_CLASSIFIERS_DIR]);
  const byId = new Map(set.classifiers.map((c) => [c.id, c]));
  for (const file of files ?? []) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read classifier file ${file}`);
    }
    for (const classifier of parseClassifierFile(file, text)) {
      if (classifier.enabled) byId.set(classifier.id, classifier);
      else byId.delete(classifier.id);
    }
  }
  return [...byId.values()];
}

function list(classifiers: CompiledClassifier[], format: string, io: CliIo): number {
  const rows = classifiers
    .map((c) => ({ id: c.id, classification: c.classification, category: c.category, name: c.name, file: c.file }))
    .sort((a, b) => a.id.localeCompare(b.id));
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const row of rows) io.stdout.write(`${row.id.padEnd(22)} ${row.classification.padEnd(7)} ${row.category.padEnd(52)} ${row.file}\n`);
  }
  return EXIT.ok;
}

function test(classifiers: CompiledClassifier[], samples: string[], format: string, call: string, io: CliIo): number {
  const detector = new Detector(classifiers);
  const trie = new PathTrie();
  const results = samples.map((sample, i) => {
    const eq = sample.indexOf('=');
    // By position, not quoted: a sample is often a real value with its PATH= forgotten.
    if (eq <= 0) throw new UsageError(`sample ${i + 1} must be PATH=VALUE`);
    const path = sample.slice(0, eq);
    let node;
    try {
      node = trie.resolve(path, call);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return explainSample(detector, node, parseValue(sample.slice(eq + 1)));
  });
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      const verdict =
        r.category === null
          ? 'no personal data (green)'
          : `${r.category} (${r.classification}) on ${r.matchedOn}, confidence ${r.confidence.toFixed(2)}: ${r.matcher}`;
      io.stdout.write(`${r.path} = ${r.value}\n  → ${verdict}\n${r.note ? `  note: ${r.note}\n` : ''}`);
    }
  }
  return EXIT.ok;
}

function parseValue(text: string): Leaf {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) return parsed as Leaf;
  } catch {
    // not JSON: plain text
  }
  return text;
}
