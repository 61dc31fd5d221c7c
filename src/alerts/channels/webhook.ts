import type { WebhookChannelConfig } from '../config.js';
import { messageId } from '../alert.js';
import { postJson, receiverTls } from '../http.js';
import { signWebhook } from '../signature.js';
import type { Alert, AlertChannel } from '../types.js';
import { WEBHOOK_SCHEMA_ID, type WebhookAlertV1, type WebhookPayloadV1 } from '../webhook-schema.js';

/** Copies exactly the v1 fields: an internal field added to Alert must not silently change the public schema. */
function toWire(a: Alert): WebhookAlertV1 {
  const w: WebhookAlertV1 = {
    id: a.id,
    kind: a.kind,
    source: a.source,
    event: a.event,
    path: a.path,
    classification: a.classification,
    category: { id: a.category.id, dataCategory: a.category.dataCategory },
    matcher: a.matcher,
    matchedOn: a.matchedOn,
    confidence: a.confidence,
    example: a.example,
    detectedAt: a.detectedAt,
    inboxUrl: a.inboxUrl,
  };
  if (a.previous) w.previous = { category: a.previous.category, classification: a.previous.classification };
  if (a.leak) w.leak = { destination: a.leak.destination, values: a.leak.values };
  if (a.deadLetter) w.deadLetter = { code: a.deadLetter.code, count: a.deadLetter.count };
  return w;
}

export function buildWebhookPayload(alerts: readonly Alert[], sentAt: Date): WebhookPayloadV1 {
  const payload: WebhookPayloadV1 = {
    schema: WEBHOOK_SCHEMA_ID,
    id: messageId(alerts),
    sentAt: sentAt.toISOString(),
    alerts: alerts.map(toWire),
  };
  if (alerts.some((a) => a.test)) payload.test = true;
  return payload;
}

export function createWebhookChannel(cfg: WebhookChannelConfig, now: () => number = Date.now): AlertChannel {
  const tls = receiverTls(cfg);
  return {
    name: cfg.name,
    type: 'webhook',
    async send(alerts) {
      const t = now();
      const payload = buildWebhookPayload(alerts, new Date(t));
      const body = JSON.stringify(payload);
      const ts = Math.floor(t / 1000);
      const answer = await postJson(
        cfg.url,
        body,
        {
          'x-segmentloom-timestamp': String(ts),
          'x-segmentloom-signature': signWebhook(cfg.secret, ts, body),
          // Same digest → same key on every retry, so the receiver can drop duplicates.
          'idempotency-key': payload.id,
        },
        cfg.timeoutMs,
        `webhook channel "${cfg.name}"`,
        tls,
      );
      return [answer];
    },
  };
}
