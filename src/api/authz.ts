/**
 * Who may do what, in one place. A request is allowed when the key's role permits the action AND,
 * for actions that need one, the key holds the action's scope. Roles say what a person may be
 * trusted with; scopes narrow what one particular key (a script, a CI job) can do with that trust,
 * so a leaked automation key cannot do everything its creator can.
 *
 * docs/api.md shows this table; test/api/authz.test.ts checks every endpoint against its own copy.
 */

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['events:write', 'profiles:read', 'inventory:manage', 'policies:manage', 'deletions:trigger', 'audit:read', 'keys:manage'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes a key of each role may hold: a key never carries more than its role allows. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  owner: SCOPES,
  editor: ['events:write', 'inventory:manage', 'policies:manage'],
  viewer: [],
};

/** Scopes a new key gets when none are listed. Viewers get none: their reads need no scope. */
export const DEFAULT_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  owner: SCOPES,
  editor: ['inventory:manage', 'policies:manage'],
  viewer: [],
};

const ALL: readonly Role[] = ROLES;
const EDITORS: readonly Role[] = ['owner', 'editor'];
const OWNERS: readonly Role[] = ['owner'];

export interface Permission {
  roles: readonly Role[];
  /** null: the role alone decides (read-only views every role has by default). */
  scope: Scope | null;
  description: string;
}

export const ACTIONS = {
  'metrics.read': { roles: ALL, scope: null, description: 'Prometheus metrics' },
  'inventory.read': { roles: ALL, scope: null, description: 'list the inventory and inbox' },
  // Everything at once, in a file that leaves the engine: for the people answerable for it.
  'inventory.export': { roles: OWNERS, scope: null, description: 'download the whole inventory as CSV' },
  'inventory.manage': { roles: EDITORS, scope: 'inventory:manage', description: 'classify data points, accept them into the inventory' },
  'classifiers.read': { roles: ALL, scope: null, description: 'list and read classifiers and their versions' },
  'classifiers.manage': { roles: EDITORS, scope: 'policies:manage', description: 'create or replace a custom classifier' },
  'policies.read': { roles: ALL, scope: null, description: 'read the policy file and its versions (secrets redacted)' },
  'policies.manage': { roles: EDITORS, scope: 'policies:manage', description: 'replace the policy file' },
  'alerts.read': { roles: ALL, scope: null, description: 'list alert channels (names and types only) and the outbox of parked deliveries' },
  'alerts.test': { roles: EDITORS, scope: 'policies:manage', description: 'send a test alert through a channel' },
  'alerts.retry': { roles: EDITORS, scope: 'policies:manage', description: 'retry a parked delivery of the outbox now' },
  'requests.create': { roles: OWNERS, scope: 'deletions:trigger', description: 'create deletion and suppression requests' },
  'requests.read': { roles: OWNERS, scope: 'deletions:trigger', description: 'read request status and receipts' },
  'subjects.export': { roles: OWNERS, scope: 'profiles:read', description: "export a data subject's stored data (access request)" },
  // Its own scope: an owner key made for one job (an auditor's audit:read) must not mint, list or rotate keys.
  'keys.manage': { roles: OWNERS, scope: 'keys:manage', description: 'list, create, rotate and revoke API keys' },
  'masterKeys.manage': { roles: OWNERS, scope: 'keys:manage', description: 'show master-key versions in use, re-wrap data keys under the newest' },
  // The audit log says who did what to whose data: readable and exportable by owners only.
  'audit.read': { roles: OWNERS, scope: 'audit:read', description: 'read and export the audit log' },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof ACTIONS;

/** What a verified key is allowed to be. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  scopes: readonly Scope[];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

export function authorize(principal: Pick<Principal, 'role' | 'scopes'>, action: Action): Decision {
  const permission: Permission = ACTIONS[action];
  if (!permission.roles.includes(principal.role)) {
    return { allowed: false, reason: `${action} needs role ${permission.roles.join(' or ')}; this key is ${principal.role}` };
  }
  if (permission.scope !== null && !principal.scopes.includes(permission.scope)) {
    return { allowed: false, reason: `${action} needs scope ${permission.scope}` };
  }
  return { allowed: true };
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, editor: 1, owner: 2 };

/** A key may create keys of its own role or below, with scopes it holds itself: no escalation. */
export function mayGrant(creator: Pick<Principal, 'role' | 'scopes'>, role: Role, scopes: readonly Scope[]): Decision {
  if (RANK[role] > RANK[creator.role]) return { allowed: false, reason: `a ${creator.role} key cannot create a ${role} key` };
  const missing = scopes.filter((s) => !creator.scopes.includes(s));
  if (missing.length > 0) return { allowed: false, reason: `cannot grant scopes this key does not hold: ${missing.join(', ')}` };
  return { allowed: true };
}
