import { CLI_ACTOR, writeAudit } from '../../api/audit.js';
import { DEFAULT_SCOPES, ROLE_SCOPES, ROLES, SCOPES, type Role, type Scope } from '../../api/authz.js';
import { ApiKeyStore, type ApiKey } from '../../api/api-keys.js';
import { MAX_OVERLAP_SECONDS, keyState } from '../../api/routes/api-keys.js';
import { formatTable } from '../db-options.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';
import { EXIT, NotFoundError, UsageError } from '../io.js';
import { defineCommand } from '../registry.js';

const HELP = `Usage: segmentloom keys <command> [options]

API keys of the control-plane API (segmentloom serve). Acts with database access, so it works
before any key exists (bootstrap) and when every key is lost. Each change is audited (actor: cli).
The store must exist: on a new deployment, create it first with \`segmentloom init\`.

Commands:
  create --name NAME --role owner|editor|viewer [--scopes S1,S2]
                                    create a key; the token is printed this once and never stored
  list [--format table|json]        keys, roles, scopes and live secrets (never the secrets)
  rotate ID [--overlap-seconds N]   new secret; the old one keeps working N seconds (default 3600)
  revoke ID                         revoke at once

Roles: ${ROLES.join(', ')}. Scopes: ${SCOPES.join(', ')}.
Default scopes: owner all; editor ${DEFAULT_SCOPES.editor.join(', ')}; viewer none (reads need no scope).

${STORE_HELP}`;

export const run = defineCommand({
  name: 'keys',
  help: HELP,
  options: {
    ...STORE_OPTIONS,
    name: { type: 'string' },
    role: { type: 'string' },
    scopes: { type: 'string' },
    'overlap-seconds': { type: 'string' },
    format: { type: 'string', default: 'table' },
  },
  subcommands: ['create', 'list', 'rotate', 'revoke'],
  async handler({ values, sub, args, io }) {
    const command = sub!;
    const plan = validate(command, args, values);
    const db = await (await storeAccess(values, io)).open();
    const keys = new ApiKeyStore(db);
    try {
      switch (plan.command) {
        case 'create': {
          const issued = await db.transaction(async (tx) => {
            const created = await keys.create(tx, { name: plan.name, role: plan.role, scopes: plan.scopes, createdBy: null });
            await writeAudit(tx, {
              actor: CLI_ACTOR,
              action: 'keys.create',
              targetType: 'api_key',
              targetId: created.key.id,
              before: null,
              after: keyState(created.key),
            });
            return created;
          });
          io.stderr.write(
            `Created ${issued.key.role} key ${issued.key.id} (${issued.key.name}), scopes: ${issued.key.scopes.join(', ') || '(none)'}.\nThe token below is shown once and not stored; keep it in a secret store:\n`,
          );
          io.stdout.write(`${issued.token}\n`);
          return EXIT.ok;
        }
        case 'list': {
          const all = await keys.list();
          io.stdout.write(values.format === 'json' ? `${JSON.stringify(all, null, 2)}\n` : table(all));
          return EXIT.ok;
        }
        case 'rotate': {
          const issued = await db.transaction(async (tx) => {
            const before = await keys.get(tx, plan.id);
            const rotated = before && !before.revokedAt ? await keys.rotate(tx, plan.id, plan.overlap) : null;
            if (rotated)
              await writeAudit(tx, {
                actor: CLI_ACTOR,
                action: 'keys.rotate',
                targetType: 'api_key',
                targetId: plan.id,
                before: keyState(before),
                after: { ...keyState(rotated.key), overlapSeconds: plan.overlap },
              });
            return rotated;
          });
          if (!issued) throw new NotFoundError('active key');
          io.stderr.write(`Rotated key ${plan.id}; the previous secret stops working in ${plan.overlap} s. New token (shown once):\n`);
          io.stdout.write(`${issued.token}\n`);
          return EXIT.ok;
        }
        case 'revoke': {
          const revoked = await db.transaction(async (tx) => {
            const before = await keys.get(tx, plan.id);
            if (!before) return null;
            const after = await keys.revoke(tx, plan.id);
            await writeAudit(tx, {
              actor: CLI_ACTOR,
              action: 'keys.revoke',
              targetType: 'api_key',
              targetId: plan.id,
              before: keyState(before),
              after: keyState(after),
            });
            return after;
          });
          if (!revoked) throw new NotFoundError('key');
          io.stdout.write(`revoked key ${plan.id} at ${revoked.revokedAt}\n`);
          return EXIT.ok;
        }
      }
    } finally {
      await db.close();
    }
  },
});

type Plan =
  | { command: 'create'; name: string; role: Role; scopes: Scope[] }
  | { command: 'list' }
  | { command: 'rotate'; id: string; overlap: number }
  | { command: 'revoke'; id: string };

/** Everything is checked before the database is opened. */
function validate(
  command: string,
  args: string[],
  values: { name?: string | undefined; role?: string | undefined; scopes?: string | undefined; 'overlap-seconds'?: string | undefined },
): Plan {
  if (command === 'list') return { command };
  if (command === 'create') {
    if (args.length) throw new UsageError('usage: segmentloom keys create --name NAME --role ROLE [--scopes S1,S2]');
    const name = values.name?.trim();
    if (!name || name.length > 100) throw new UsageError('--name is required (1-100 characters)');
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const scopes =
      values.scopes === undefined
        ? [...DEFAULT_SCOPES[role]]
        : [
            ...new Set(
              values.scopes
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ];
    for (const scope of scopes) {
      if (!(SCOPES as readonly string[]).includes(scope)) throw new UsageError(`--scopes: unknown scope ${scope} (known: ${SCOPES.join(', ')})`);
      if (!ROLE_SCOPES[role].includes(scope as Scope)) throw new UsageError(`--scopes: a ${role} key cannot hold ${scope}`);
    }
    return { command, name, role, scopes: scopes as Scope[] };
  }
  const [id] = args;
  if (args.length !== 1 || !/^[0-9a-f]{16}$/.test(id!)) throw new UsageError(`usage: segmentloom keys ${command} ID (16 hex digits, see keys list)`);
  if (command === 'revoke') return { command, id: id! };
  const overlap = values['overlap-seconds'] === undefined ? 3600 : Number(values['overlap-seconds']);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS)
    throw new UsageError(`--overlap-seconds must be an integer from 0 to ${MAX_OVERLAP_SECONDS}`);
  return { command: 'rotate', id: id!, overlap };
}

function table(keys: readonly ApiKey[]): string {
  return formatTable(
    ['ID', 'NAME', 'ROLE', 'SCOPES', 'CREATED', 'REVOKED', 'LIVE SECRETS'],
    keys.map((k) => [k.id, k.name, k.role, k.scopes.join(',') || null, k.createdAt, k.revokedAt, k.secrets.length]),
    64,
  );
}
