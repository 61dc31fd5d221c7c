import { CLI_ACTOR } from '../api/audit.js';
import { findClassifier, validateClassifier } from '../api/classifier-files.js';
import { getVersion, latestVersion, listVersions, sha256, writeConfigVersion, type ConfigVersion } from '../api/config-versions.js';
import { parseClassifierFile } from '../detect/index.js';
import { ConfigError } from '../config/errors.js';
import { json } from './registry.js';
import { asConfigError, openConfigFiles, readInputFile, versionArg, versionTable, writeDiff, type ConfigFilesAccess } from './config-files.js';
import { EXIT, NotFoundError, UsageError, type CliIo } from './io.js';
import type { StoreArgs } from './store.js';

/**
 * `classifiers show|diff|apply|versions|rollback`: one classifier id's file and its versions, through
 * the API's own code (validation by the engine loader, a version per write, an audit entry with
 * actor `cli`, the atomic rename the engines' watchers expect).
 */
export const STORE_SUBCOMMANDS = ['show', 'diff', 'apply', 'versions', 'rollback'] as const;
export type StoreSubcommand = (typeof STORE_SUBCOMMANDS)[number];

export async function classifierStoreCommand(sub: StoreSubcommand, args: string[], values: StoreArgs & { format?: string }, io: CliIo): Promise<number> {
  const usage: Record<StoreSubcommand, [number, string]> = {
    show: [1, 'classifiers show ID --config FILE'],
    diff: [2, 'classifiers diff ID FILE --config FILE'],
    apply: [1, 'classifiers apply FILE --config FILE'],
    versions: [1, 'classifiers versions ID --config FILE'],
    rollback: [2, 'classifiers rollback ID VERSION --config FILE'],
  };
  const [n, line] = usage[sub];
  if (args.length !== n) throw new UsageError(`usage: segmentloom ${line}`);
  const access = await openConfigFiles(values, io, `classifiers ${sub}`);
  try {
    switch (sub) {
      case 'show': {
        const entry = await findClassifier(access, args[0]!);
        if (entry === null) throw new NotFoundError(`classifier ${args[0]} (see classifiers list)`);
        const version = await latestVersion(access.db, 'classifier', args[0]!);
        if (values.format === 'json') io.stdout.write(json({ id: args[0], file: entry.file, origin: entry.origin, version, content: entry.content }));
        else
          io.stdout.write(
            `# ${entry.file} (${entry.origin}${version ? `, version ${version.version}` : ', never written through the API or CLI'})\n${entry.content}`,
          );
        return EXIT.ok;
      }
      case 'diff': {
        const entry = await findClassifier(access, args[0]!);
        const text = await readInputFile(args[1]!);
        return writeDiff(io, { name: entry?.file ?? '/dev/null', text: entry?.content ?? '' }, { name: args[1]!, text });
      }
      case 'apply': {
        const text = await readInputFile(args[0]!);
        const saved = await asConfigError(args[0]!, async () => write(access, idOf(args[0]!, text), text, 'classifiers.put', null));
        io.stdout.write(`classifier ${saved.name}: version ${saved.version} written (${saved.sha256.slice(0, 12)})\n`);
        return EXIT.ok;
      }
      case 'versions': {
        const versions = await listVersions(access.db, 'classifier', args[0]!);
        io.stdout.write(values.format === 'json' ? json({ items: versions }) : versionTable(versions));
        return EXIT.ok;
      }
      case 'rollback': {
        const target = await getVersion(access.db, 'classifier', args[0]!, versionArg(args[1]!));
        if (target === null) throw new NotFoundError(`version ${args[1]} of classifier ${args[0]} (see classifiers versions ${args[0]})`);
        const saved = await write(access, args[0]!, target.content, 'classifiers.rollback', target.version);
        io.stdout.write(`classifier ${saved.name}: version ${saved.version} written, the content of version ${target.version}\n`);
        return EXIT.ok;
      }
    }
  } finally {
    await access.db.close();
  }
}

/** The id a classifier file defines (the API takes it from the URL; here the file says it). */
function idOf(file: string, text: string): string {
  // An invalid file is a ConfigError naming the file, field and problem (exit 78).
  const parsed = parseClassifierFile(file, text);
  if (parsed.length !== 1) throw new ConfigError(`${file}: a classifier applied from the CLI is one classifier per file, not a list`, file);
  return parsed[0]!.id;
}

async function write(access: ConfigFilesAccess, id: string, text: string, action: string, rolledBackFrom: number | null): Promise<ConfigVersion> {
  const { content, file } = await validateClassifier(access, id, text, 'application/yaml');
  const saved = await writeConfigVersion(access.db, { kind: 'classifier', name: id, content, authorKeyId: null, file }, (result) => ({
    actor: CLI_ACTOR,
    action,
    targetType: 'classifier',
    targetId: id,
    before: result.replaced === null ? null : { version: result.previous?.version ?? null, sha256: sha256(result.replaced) },
    after: { version: result.current.version, sha256: result.current.sha256, file: `${id}.yaml`, ...(rolledBackFrom === null ? {} : { rolledBackFrom }) },
  }));
  return saved.current;
}
