import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeliveryError } from '../../alerts/errors.js';
import { sendTestAlert } from '../../alerts/test-alert.js';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';

const channelSchema = z.object({ name: z.string(), type: z.enum(['slack', 'webhook', 'pagerduty']) });

export const alertRoutes = {
  channels: defineRoute({
    operationId: 'listAlertChannels',
    method: 'GET',
    url: '/alerts/channels',
    tag: 'alerts',
    summary: 'Configured alert channels (names and types: URLs and keys are credentials)',
    action: 'alerts.read',
    response: { status: 200, description: 'Channels', schema: z.object({ items: z.array(channelSchema) }) },
  }),
  test: defineRoute({
    operationId: 'testAlertChannel',
    method: 'POST',
    url: '/alerts/channels/:name/test',
    tag: 'alerts',
    summary: 'Send one clearly synthetic alert through a channel, bypassing routes, digest and rate limit',
    action: 'alerts.test',
    params: z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a channel name: 1-64 letters, digits, "_", "." or "-"') }),
    response: { status: 200, description: 'The receiver accepted it', schema: channelSchema.extend({ delivered: z.literal(true), alertId: z.string() }) },
    errors: [400, 404, 502],
    audit: 'alerts.test',
  }),
};

export function registerAlertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, alertRoutes.channels, async () => ({ items: (ctx.alertsConfig?.channels ?? []).map((c) => ({ name: c.name, type: c.type })) }));
  handle(app, ctx, alertRoutes.test, async ({ params, principal, req }) => {
    const config = ctx.alertsConfig;
    const channel = config?.channels.find((c) => c.name === params.name);
    if (!config || !channel) throw notFound('alert channel');
    const audit = (after: Record<string, unknown>) =>
      writeAudit(ctx.db, {
        actor: { keyId: principal.keyId, role: principal.role },
        action: 'alerts.test',
        targetType: 'alert_channel',
        targetId: channel.name,
        before: null,
        after,
        requestId: req.id,
      });
    try {
      const { alert } = await sendTestAlert(channel, { baseUrl: config.baseUrl, now: ctx.now() });
      await audit({ type: channel.type, delivered: true, alertId: alert.id });
      return { name: channel.name, type: channel.type, delivered: true, alertId: alert.id };
    } catch (err) {
      // DeliveryError messages carry a status, never the receiver URL (itself a credential).
      const why = err instanceof DeliveryError ? err.message : 'delivery failed';
      await audit({ type: channel.type, delivered: false, error: why });
      throw new ApiError(502, 'delivery_failed', `test alert not delivered: ${why}`);
    }
  });
}
