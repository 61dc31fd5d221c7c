import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DeliveryError } from '../../alerts/errors.js';
import { listParked, retryParked } from '../../alerts/outbox-admin.js';
import { sendTestAlert } from '../../alerts/test-alert.js';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';

const channelSchema = z.object({ name: z.string(), type: z.enum(['slack', 'webhook', 'pagerduty']) });
const classification = z.enum(['red', 'yellow', 'green']);
const parkedSchema = z.object({
  id: z.string(),
  channel: z.string(),
  attempts: z.number().int().describe('attempts made from the outbox'),
  lastError: z.string().nullable().describe('value-free reason of the last failure'),
  createdAt: z.string().describe('ISO 8601 timestamp'),
  nextAttemptAt: z.string().describe('ISO 8601 timestamp'),
  leased: z.boolean().describe('an engine is sending it right now'),
  alerts: z.number().int().describe('alerts in the delivery'),
  points: z
    .array(z.object({ kind: z.enum(['new', 'drift', 'leak', 'dead_letter']), source: z.string(), event: z.string(), path: z.string(), classification }))
    .describe('the first data points the alerts are about (no examples)'),
});

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
  outbox: defineRoute({
    operationId: 'listAlertOutbox',
    method: 'GET',
    url: '/alerts/outbox',
    tag: 'alerts',
    summary: 'Parked deliveries: alerts a channel could not take after its retries, oldest first',
    action: 'alerts.read',
    query: z.strictObject({
      channel: z.string().min(1).max(64).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    response: {
      status: 200,
      description: 'A page of parked deliveries and how many there are',
      schema: z.object({ items: z.array(parkedSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
    },
    errors: [400],
  }),
  retry: defineRoute({
    operationId: 'retryAlertDelivery',
    method: 'POST',
    url: '/alerts/outbox/:id/retry',
    tag: 'alerts',
    summary: 'Retry a parked delivery now: it is due at once and the next sweep of an engine sends it',
    description: 'The sweep sends it under its lease, so a retry never doubles a delivery; 409 while an engine is sending it.',
    action: 'alerts.retry',
    params: z.strictObject({ id: z.string().min(1).max(64) }),
    response: { status: 200, description: 'The delivery, due now', schema: parkedSchema },
    errors: [400, 404, 409],
    audit: 'alerts.retry',
  }),
};

export function registerAlertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, alertRoutes.channels, async () => ({ items: (ctx.alertsConfig?.channels ?? []).map((c) => ({ name: c.name, type: c.type })) }));
  handle(app, ctx, alertRoutes.outbox, async ({ query }) => ({
    ...(await listParked(ctx.db, { ...query, now: ctx.now() })),
    limit: query.limit,
    offset: query.offset,
  }));
  handle(app, ctx, alertRoutes.retry, async ({ params, principal, req }) => {
    const result = await retryParked(ctx.db, params.id, ctx.now());
    if ('missing' in result) throw notFound('parked delivery');
    if ('leased' in result) throw conflict('delivery_in_progress', 'an engine is sending this delivery right now; see the outbox again shortly');
    await writeAudit(ctx.db, {
      actor: { keyId: principal.keyId, role: principal.role },
      action: 'alerts.retry',
      targetType: 'alert_delivery',
      targetId: result.retried.id,
      before: null,
      after: { channel: result.retried.channel, attempts: result.retried.attempts, alerts: result.retried.alerts },
      requestId: req.id,
    });
    return result.retried;
  });
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
