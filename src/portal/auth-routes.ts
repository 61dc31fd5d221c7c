import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../api/context.js';
import { ApiError, fromZod } from '../api/errors.js';
import type { PortalSettings } from './config.js';
import { OidcSignIn, SignInRefused } from './oidc.js';
import { signIn } from './session.js';

/**
 * The portal's sign-in plumbing under /portal/auth (browser-only, cookie-authenticated: not part
 * of the bearer-key API and so not in the OpenAPI document):
 * - GET  session        who is signed in, the CSRF token, which sign-ins are offered
 * - POST key            the local fallback: an API key exchanged for a session (key never stored)
 * - POST signout        ends the session
 * - GET  oidc/login     → the OpenID Provider (code + PKCE); oidc/callback ← back from it
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: ApiContext, settings: PortalSettings): void {
  const oidc = settings.oidc ? new OidcSignIn(settings.oidc) : null;

  app.get('/portal/auth/session', async (req, reply) => {
    const p = req.sessionPrincipal;
    const expiresAt =
      p && req.session.createdAt ? new Date(Math.min(req.session.createdAt + settings.absoluteMs, ctx.now().getTime() + settings.idleMs)).toISOString() : null;
    return {
      signedIn: p !== null,
      principal: p && { name: p.name, role: p.role, scopes: p.scopes, via: (p as { via?: string }).via ?? 'key' },
      csrfToken: reply.generateCsrf(),
      signIn: { sso: oidc !== null, key: settings.keySignIn },
      expiresAt,
    };
  });

  const keyBody = z.strictObject({ apiKey: z.string().min(1).max(512) });
  app.post('/portal/auth/key', async (req, reply) => {
    if (!settings.keySignIn) throw new ApiError(403, 'forbidden', 'API-key sign-in is turned off here (SEGMENTLOOM_PORTAL_KEY_SIGNIN=off): sign in with SSO');
    const parsed = keyBody.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error, 'body');
    await ctx.throttle?.check(req);
    const principal = await ctx.keys.verify(parsed.data.apiKey);
    if (!principal) {
      await ctx.throttle?.failed(req);
      throw new ApiError(401, 'unauthorized', 'invalid, expired or revoked API key');
    }
    const csrfToken = await signIn(req, reply, { ...principal, via: 'key' }, ctx.now().getTime());
    ctx.logger.info({ keyId: principal.keyId, role: principal.role }, 'portal sign-in with an API key');
    return { signedIn: true, principal: { name: principal.name, role: principal.role, scopes: principal.scopes, via: 'key' }, csrfToken };
  });

  app.post('/portal/auth/signout', async (req, reply) => {
    await req.session.destroy();
    return reply.code(204).send();
  });

  app.get('/portal/auth/oidc/login', async (req, reply) => {
    if (!oidc) throw new ApiError(404, 'not_found', 'single sign-on is not configured (SEGMENTLOOM_OIDC_ISSUER)');
    const { url, pending } = await oidc.start().catch(() => {
      throw new ApiError(502, 'sso_unavailable', 'the OpenID Provider could not be reached (discovery failed); try again or sign in with an API key');
    });
    req.session.oidc = pending;
    return reply.redirect(url, 302);
  });

  app.get('/portal/auth/oidc/callback', async (req, reply) => {
    if (!oidc) throw new ApiError(404, 'not_found', 'single sign-on is not configured (SEGMENTLOOM_OIDC_ISSUER)');
    const pending = req.session.oidc;
    if (!pending) return reply.redirect('/portal/#/signin?error=expired', 302);
    req.session.oidc = undefined;
    try {
      const principal = await oidc.finish(new URL(req.url, 'http://callback'), pending);
      await signIn(req, reply, principal, ctx.now().getTime());
      ctx.logger.info({ keyId: principal.keyId, role: principal.role }, 'portal sign-in with SSO');
      return reply.redirect('/portal/#/inbox', 302);
    } catch (err) {
      const code = err instanceof SignInRefused ? 'no_role' : 'sso_failed';
      ctx.logger.warn({ err: err instanceof Error ? err.name : 'error', code }, 'portal SSO sign-in refused');
      return reply.redirect(`/portal/#/signin?error=${code}`, 302);
    }
  });
}
