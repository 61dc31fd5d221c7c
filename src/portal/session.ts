import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../api/authz.js';
import type { ApiContext } from '../api/context.js';
import type { PortalSettings } from './config.js';
import { DbSessionStore } from './session-store.js';

/**
 * Portal sessions: @fastify/session (server-side, ids signed in an HttpOnly SameSite=Lax cookie,
 * Secure whenever the request came over TLS) over the API's database, with CSRF tokens from
 * @fastify/csrf-protection (secret in the session, token in the `x-csrf-token` header).
 *
 * A signed-in session yields a Principal exactly like an API key does, and `authenticate`
 * (api/route.ts) runs it through the same `authorize`: the portal has no permissions of its own.
 * Lax rather than Strict: the OpenID Provider's redirect back is a cross-site top-level GET, and
 * must carry the session that holds the PKCE verifier. Mutations are CSRF-checked regardless.
 */

export interface SessionPrincipal extends Principal {
  via: 'key' | 'sso';
}

export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

declare module 'fastify' {
  interface Session {
    principal?: SessionPrincipal;
    createdAt?: number;
    lastSeenAt?: number;
    oidc?: OidcPending;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const SESSION_COOKIE = 'sl_portal';

export async function registerPortalSessions(app: FastifyInstance, ctx: ApiContext, settings: PortalSettings): Promise<DbSessionStore> {
  const secret = settings.sessionSecret ?? randomBytes(32).toString('base64url');
  if (settings.sessionSecret === null) ctx.logger.warn('SEGMENTLOOM_PORTAL_SESSION_SECRET is not set: portal sessions end when this process stops');
  const store = new DbSessionStore(
    ctx.db,
    () => settings.idleMs,
    (err) => ctx.logger.error({ err: err instanceof Error ? err.name : 'error' }, 'portal session store failed'),
  );
  // The page and its assets are the same for everyone: served without reading the session (no
  // store query, no key check), so a reload's first requests wait for nothing but the file.
  app.addHook('onRequest', (req, _reply, done) => {
    if (isStaticPortalUrl(req.url)) delete req.headers.cookie;
    done();
  });
  await app.register(cookie);
  await app.register(session, {
    secret,
    cookieName: SESSION_COOKIE,
    store,
    saveUninitialized: false,
    // Saved when changed only: activity is recorded (and the cookie renewed) at most every
    // touchMs, not on every API call the UI makes.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: settings.idleMs },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });

  app.addHook('onRequest', (req, reply, done) => {
    resolvePrincipal(ctx, settings, req)
      .then(() => {
        // An API client (Authorization header) is authenticated by its key alone; everything that
        // could act through the cookie — the portal's own routes and session-authorised API calls — needs the token.
        const viaCookie = req.headers.authorization === undefined && (req.sessionPrincipal !== null || req.url.startsWith('/portal/'));
        if (SAFE.has(req.method) || !viaCookie) return done();
        app.csrfProtection(req, reply, done);
      })
      .catch((err: unknown) => done(err instanceof Error ? err : new Error('session')));
  });
  return store;
}

/** The portal's HTML page and bundled assets (assets.ts): public files, no session needed. */
export function isStaticPortalUrl(url: string): boolean {
  return url === '/portal/' || url === '/portal' || (url.startsWith('/portal/assets/') && !url.includes('?'));
}

async function resolvePrincipal(ctx: ApiContext, settings: PortalSettings, req: FastifyRequest): Promise<void> {
  req.sessionPrincipal = null;
  const s = req.session;
  if (req.headers.authorization !== undefined || !s?.principal) return;
  // The server's clock (ctx.now), as for key expiry: one time source for everything that expires.
  const now = ctx.now().getTime();
  const expired = now - (s.createdAt ?? 0) > settings.absoluteMs || now - (s.lastSeenAt ?? 0) > settings.idleMs;
  // A key's session ends when the key is revoked or has no live secret left.
  const dead = !expired && s.principal.via === 'key' && !(await keyAlive(ctx, s.principal.keyId));
  if (expired || dead) {
    await s.destroy();
    return;
  }
  if (now - (s.lastSeenAt ?? 0) >= touchMs(settings)) s.lastSeenAt = now;
  req.sessionPrincipal = s.principal;
}

/** How stale lastSeenAt may get: a tenth of the idle timeout, at most 30 s. */
const touchMs = (settings: PortalSettings) => Math.min(30_000, settings.idleMs / 10);

/** Whether a key-backed session's key still opens the API: read every time, so a revocation ends its sessions at once. */
async function keyAlive(ctx: ApiContext, keyId: string): Promise<boolean> {
  const key = await ctx.keys.get(ctx.db, keyId);
  return key !== null && key.revokedAt === null && key.secrets.some((x) => x.expiresAt === null || Date.parse(x.expiresAt) > ctx.now().getTime());
}

/** Starts a fresh session (new id: no fixation) for a principal at `now` (ctx.now); returns its CSRF token. */
export async function signIn(req: FastifyRequest, reply: FastifyReply, principal: SessionPrincipal, now: number): Promise<string> {
  await req.session.regenerate();
  req.session.principal = principal;
  req.session.createdAt = now;
  req.session.lastSeenAt = now;
  return reply.generateCsrf();
}
