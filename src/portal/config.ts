import type { Role } from '../api/authz.js';
import { ROLES } from '../api/authz.js';
import { SegmentloomError } from '../core/errors.js';

/**
 * The Privacy Portal's settings, from the environment `segmentloom serve` runs with (the same
 * env the API reads its other secrets from; docs/portal.md lists them):
 *
 * - SEGMENTLOOM_PORTAL=off                      serve no portal (API only)
 * - SEGMENTLOOM_PORTAL_SESSION_SECRET           32+ characters signing the session cookie; when
 *                                               unset a random one is made per process (sessions
 *                                               then end with the process)
 * - SEGMENTLOOM_PORTAL_IDLE_MINUTES             idle timeout (default 30)
 * - SEGMENTLOOM_PORTAL_ABSOLUTE_HOURS           absolute timeout (default 12)
 * - SEGMENTLOOM_PORTAL_KEY_SIGNIN=off           refuse the local API-key sign-in (SSO only)
 * - SEGMENTLOOM_OIDC_ISSUER                     issuer URL (discovery at /.well-known/openid-configuration)
 * - SEGMENTLOOM_OIDC_CLIENT_ID / _CLIENT_SECRET the portal's client at the OpenID Provider
 * - SEGMENTLOOM_OIDC_REDIRECT_URI               the callback as the browser reaches it, e.g.
 *                                               https://privacy.example.com/portal/auth/oidc/callback
 * - SEGMENTLOOM_OIDC_ROLE_CLAIM                 claim holding the role or groups (default `groups`)
 * - SEGMENTLOOM_OIDC_ROLE_MAP                   `group=role,…` e.g. `privacy-admins=owner,dpo=owner,analysts=viewer`;
 *                                               without it the claim must hold a role name itself
 * - SEGMENTLOOM_OIDC_SCOPES                     default `openid profile email`, plus `groups` when the claim is `groups`
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  roleClaim: string;
  /** claim value → role; empty: the claim's value must be owner, editor or viewer. */
  roleMap: ReadonlyMap<string, Role>;
  scopes: string;
}

export interface PortalSettings {
  enabled: boolean;
  sessionSecret: string | null;
  idleMs: number;
  absoluteMs: number;
  keySignIn: boolean;
  oidc: OidcSettings | null;
}

export class PortalConfigError extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_CONFIG', message);
    this.name = 'PortalConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function portalSettingsFromEnv(env: Env): PortalSettings {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const secret = get('SEGMENTLOOM_PORTAL_SESSION_SECRET') ?? null;
  if (secret !== null && secret.length < 32) throw new PortalConfigError('SEGMENTLOOM_PORTAL_SESSION_SECRET: expected at least 32 characters');
  return {
    enabled: get('SEGMENTLOOM_PORTAL') !== 'off',
    sessionSecret: secret,
    idleMs: positive(get('SEGMENTLOOM_PORTAL_IDLE_MINUTES'), 30, 'SEGMENTLOOM_PORTAL_IDLE_MINUTES') * 60_000,
    absoluteMs: positive(get('SEGMENTLOOM_PORTAL_ABSOLUTE_HOURS'), 12, 'SEGMENTLOOM_PORTAL_ABSOLUTE_HOURS') * 3_600_000,
    keySignIn: get('SEGMENTLOOM_PORTAL_KEY_SIGNIN') !== 'off',
    oidc: oidcFromEnv(get),
  };
}

function positive(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new PortalConfigError(`${name}: expected a positive number`);
  return n;
}

function oidcFromEnv(get: (name: string) => string | undefined): OidcSettings | null {
  const issuer = get('SEGMENTLOOM_OIDC_ISSUER');
  if (issuer === undefined) return null;
  const need = (name: string) => {
    const v = get(name);
    if (v === undefined) throw new PortalConfigError(`${name}: required when SEGMENTLOOM_OIDC_ISSUER is set`);
    return v;
  };
  for (const [name, url] of [
    ['SEGMENTLOOM_OIDC_ISSUER', issuer],
    ['SEGMENTLOOM_OIDC_REDIRECT_URI', need('SEGMENTLOOM_OIDC_REDIRECT_URI')],
  ] as const) {
    try {
      new URL(url);
    } catch {
      throw new PortalConfigError(`${name}: expected an absolute URL`);
    }
  }
  const roleClaim = get('SEGMENTLOOM_OIDC_ROLE_CLAIM') ?? 'groups';
  return {
    issuer,
    clientId: need('SEGMENTLOOM_OIDC_CLIENT_ID'),
    clientSecret: need('SEGMENTLOOM_OIDC_CLIENT_SECRET'),
    redirectUri: need('SEGMENTLOOM_OIDC_REDIRECT_URI'),
    roleClaim,
    roleMap: parseRoleMap(get('SEGMENTLOOM_OIDC_ROLE_MAP')),
    scopes: get('SEGMENTLOOM_OIDC_SCOPES') ?? (roleClaim === 'groups' ? 'openid profile email groups' : 'openid profile email'),
  };
}

export function parseRoleMap(text: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  if (text === undefined) return map;
  text.split(',').forEach((pair, i) => {
    const eq = pair.lastIndexOf('=');
    const group = pair.slice(0, eq).trim();
    const role = pair.slice(eq + 1).trim() as Role;
    if (eq <= 0 || group === '' || !ROLES.includes(role)) {
      throw new PortalConfigError(`SEGMENTLOOM_OIDC_ROLE_MAP: entry ${i + 1}: expected group=role with role one of ${ROLES.join(', ')}`);
    }
    map.set(group, role);
  });
  return map;
}
