import { parse as parseYaml, stringify } from 'yaml';
import { CLI_ACTOR } from '../../api/audit.js';
import { getVersion, latestVersion, listVersions, sha256, writeConfigVersion, type ConfigVersion } from '../../api/config-versions.js';
import { readPolicy, redactPolicy, validatePolicy } from '../../api/policy-files.js';
import { ConfigError } from '../../config/errors.js';
import { asConfigError, openConfigFiles, readInputFile, versionArg, versionTable, writeDiff, type ConfigFilesAccess } from '../config-files.js';
import { EXIT, NotFoundError } from '../io.js';
import { defineCommand, exactArgs, json, oneOf } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS } from '../store.js';

const HELP = `Usage: segmentloom policies <show | diff FILE | apply FILE | versions | rollback VERSION> --config FILE

The policy file the engine config names (policyFile), without curl, through the API's own code:
validated by the policy engine (\${ENV} references resolved against this environment), every write
a new version with an audit entry (actor cli), the file replaced atomically so running engines
hot-reload a complete file. Hashing secrets must be \${ENV_VAR} references; shown ones are redacted.

Commands:
  show                the policy sections in force (the policy file, else inline in the config,
                      read-only) and the latest version
  diff FILE           unified diff from the policy in force to FILE, both as redacted YAML
                      (exit 1 when they differ)
  apply FILE          validate FILE and write it to the policy file as a new version
  versions            versions written through the API or the CLI, newest first
  rollback VERSION    write the content of VERSION again, as a new version

A config with inline policies has no policy file to write: split them out first with
\`segmentloom config split-policies --config FILE\`.

Options:
  --format table|json output of show and versions (default table)

${STORE_HELP}`;

const NAME = 'policy';

export const run = defineCommand({
  name: 'policies',
  help: HELP,
  options: { ...STORE_OPTIONS, format: { type: 'string', default: 'table' } },
  subcommands: ['show', 'diff', 'apply', 'versions', 'rollback'],
  async handler({ values, sub, args, io }) {
    const format = oneOf(values.format!, ['table', 'json'] as const, '--format');
    const arity = sub === 'show' || sub === 'versions' ? 0 : 1;
    exactArgs(args, arity, `policies ${sub}${sub === 'rollback' ? ' VERSION' : arity === 1 ? ' FILE' : ''} --config FILE`);
    const access = await openConfigFiles(values, io, `policies ${sub}`);
    try {
      switch (sub) {
        case 'show': {
          const current = await readPolicy(access);
          const version = await latestVersion(access.db, 'policy', NAME);
          if (format === 'json') io.stdout.write(json({ ...current, version }));
          else {
            const where = current.inline ? `inline in ${access.configFile} (read-only)` : `${current.file}${version ? `, version ${version.version}` : ''}`;
            io.stdout.write(`# policies: ${where}\n${stringify(current.document)}`);
          }
          return EXIT.ok;
        }
        case 'diff': {
          const current = await readPolicy(access);
          const text = await readInputFile(args[0]!);
          const proposed = parseYaml(text) as unknown;
          const document = proposed !== null && typeof proposed === 'object' && !Array.isArray(proposed) ? (proposed as Record<string, unknown>) : {};
          return writeDiff(
            io,
            { name: current.file ?? 'inline policies', text: stringify(current.document) },
            { name: args[0]!, text: stringify(redactPolicy(document)) },
          );
        }
        case 'apply': {
          const text = await readInputFile(args[0]!);
          const saved = await asConfigError(args[0]!, () => write(access, text, 'policies.put', null));
          io.stdout.write(`policies: version ${saved.version} written to ${access.policyFile} (${saved.sha256.slice(0, 12)})\n`);
          return EXIT.ok;
        }
        case 'versions': {
          const versions = await listVersions(access.db, 'policy', NAME);
          io.stdout.write(format === 'json' ? json({ items: versions }) : versionTable(versions));
          return EXIT.ok;
        }
        default: {
          const target = await getVersion(access.db, 'policy', NAME, versionArg(args[0]!));
          if (target === null) throw new NotFoundError(`policy version ${args[0]} (see policies versions)`);
          const saved = await write(access, target.content, 'policies.rollback', target.version);
          io.stdout.write(`policies: version ${saved.version} written to ${access.policyFile}, the content of version ${target.version}\n`);
          return EXIT.ok;
        }
      }
    } finally {
      await access.db.close();
    }
  },
});

async function write(access: ConfigFilesAccess, text: string, action: string, rolledBackFrom: number | null): Promise<ConfigVersion> {
  const file = access.policyFile;
  if (file === null) {
    throw new ConfigError(
      `${access.configFile}: policyFile: the config keeps its policies inline; run \`segmentloom config split-policies --config ${access.configFile}\` to move them into a policy file`,
      access.configFile,
      'policyFile',
    );
  }
  const { content, policy } = validatePolicy(access, text, 'application/yaml');
  const saved = await writeConfigVersion(access.db, { kind: 'policy', name: NAME, content, authorKeyId: null, file }, (result) => ({
    actor: CLI_ACTOR,
    action,
    targetType: 'policy',
    targetId: NAME,
    before: result.replaced === null ? null : { version: result.previous?.version ?? null, sha256: sha256(result.replaced) },
    after: {
      version: result.current.version,
      sha256: result.current.sha256,
      policies: policy.policies.map((p) => p.name),
      destinations: policy.destinations.map((d) => d.name),
      ...(rolledBackFrom === null ? {} : { rolledBackFrom }),
    },
  }));
  return saved.current;
}
