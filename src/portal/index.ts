import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/context.js';
import { registerAssets } from './assets.js';
import { registerAuthRoutes } from './auth-routes.js';
import { portalSettingsFromEnv } from './config.js';
import { registerPortalSessions } from './session.js';

/**
 * The Privacy Portal, served by `segmentloom serve` on the API's port under /portal. The UI calls
 * the API's own routes with the session cookie; sessions authorize through api/authz.ts like keys.
 * Registered at the root (hooks apply to every route) before the API's routes.
 */
export async function registerPortal(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const settings = portalSettingsFromEnv(ctx.env);
  if (!settings.enabled) return;
  const store = await registerPortalSessions(app, ctx, settings);
  registerAuthRoutes(app, ctx, settings);
  registerAssets(app);
  const sweep = setInterval(() => void store.sweep().catch(() => undefined), 10 * 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}
