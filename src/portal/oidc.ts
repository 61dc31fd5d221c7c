import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { DEFAULT_SCOPES, ROLES, type Role } from '../api/authz.js';
import type { OidcSettings } from './config.js';
import type { OidcPending, SessionPrincipal } from './session.js';
import { SegmentloomError } from '../core/errors.js';

/**
 * OIDC single sign-on with `openid-client` (a certified relying party): issuer discovery, the
 * authorization code flow with PKCE (S256), state and nonce, the client authenticating with its
 * secret. The role comes from one claim (a role name, or groups mapped through
 * SEGMENTLOOM_OIDC_ROLE_MAP); a user whose claims map to no role is refused — no default role.
 */
export class OidcSignIn {
  private config: Promise<client.Configuration> | null = null;

  constructor(private readonly settings: OidcSettings) {}

  /** Discovery once, retried on the next sign-in if the provider was unreachable. */
  private configuration(): Promise<client.Configuration> {
    this.config ??= this.discover().catch((err: unknown) => {
      this.config = null;
      throw err;
    });
    return this.config;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const loopback = issuer.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(issuer.hostname);
    const config = await client.discovery(
      issuer,
      this.settings.clientId,
      undefined,
      client.ClientSecretBasic(this.settings.clientSecret),
      loopback ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    return config;
  }

  async start(): Promise<{ url: string; pending: OidcPending }> {
    const config = await this.configuration();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code; throws SignInRefused when the user maps to no role. */
  async finish(callbackUrl: URL, pending: OidcPending): Promise<SessionPrincipal> {
    const config = await this.configuration();
    // The redirect URI as registered: the request may have reached us through a proxy under another host.
    const current = new URL(this.settings.redirectUri);
    current.search = callbackUrl.search;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    if (claims[this.settings.roleClaim] === undefined && tokens.access_token) {
      Object.assign(claims, await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)));
    }
    const role = roleFromClaim(claims[this.settings.roleClaim], this.settings.roleMap);
    if (role === null) throw new SignInRefused(`no role: claim ${this.settings.roleClaim} maps to none of ${ROLES.join(', ')}`);
    const subject = createHash('sha256')
      .update(`${String(claims.iss)}\n${String(claims.sub)}`)
      .digest('hex')
      .slice(0, 24);
    const name = [claims.name, claims.preferred_username, claims.email].find((v): v is string => typeof v === 'string' && v !== '') ?? 'SSO user';
    return { keyId: `sso:${subject}`, name, role, scopes: DEFAULT_SCOPES[role], via: 'sso' };
  }
}

export class SignInRefused extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_SIGN_IN', message);
    this.name = 'SignInRefused';
  }
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/** The highest role any of the claim's values grants; null when none does. */
export function roleFromClaim(value: unknown, map: ReadonlyMap<string, Role>): Role | null {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  let best: Role | null = null;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const role = map.size > 0 ? map.get(v) : (ROLES as readonly string[]).includes(v) ? (v as Role) : undefined;
    if (role !== undefined && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best;
}
