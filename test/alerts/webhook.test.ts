import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toAlert } from '../../src/alerts/alert.js';
import { createWebhookChannel } from '../../src/alerts/channels/webhook.js';
import type { WebhookChannelConfig } from '../../src/alerts/config.js';
import { signWebhook, verifyWebhookSignature } from '../../src/alerts/signature.js';
import { webhookSchemaV1 } from '../../src/alerts/webhook-schema.js';
import { BASE_URL, channelDefaults, signal, startReceiver, type Receiver } from './helpers.js';

const SECRET = 'whsec_test_0123456789abcdef';
let rx: Receiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

function hookCfg(url: string): WebhookChannelConfig {
  return { ...channelDefaults(), name: 'hook', type: 'webhook', url, secret: SECRET };
}

// The documented JSON Schema itself (not a parallel zod schema) validates what was received.
const validator = z.fromJSONSchema(webhookSchemaV1 as unknown as Parameters<typeof z.fromJSONSchema>[0]);

describe('generic webhook channel', () => {
  it('sends a body matching segmentloom.alert.v1 with a verifiable signature and an idempotency key', async () => {
    rx = await startReceiver(() => ({ status: 204 }));
    const ch = createWebhookChannel(hookCfg(rx.url));
    const alerts = [toAlert(signal(), BASE_URL), toAlert(signal({ kind: 'drift', classification: 'yellow', example: null }), BASE_URL)];
    await ch.send(alerts);

    const req = rx.requests[0]!;
    const body = JSON.parse(req.body) as { schema: string; id: string; alerts: Array<{ id: string; previous?: unknown }> };
    const check = validator.safeParse(body);
    expect(check.success, JSON.stringify(check.error?.issues)).toBe(true);
    expect(body.schema).toBe('segmentloom.alert.v1');
    expect(body.alerts.map((a) => a.id)).toEqual(alerts.map((a) => a.id));
    expect(body.alerts[1]!.previous).toEqual({ category: null, classification: 'green' });
    expect(req.headers['idempotency-key']).toBe(body.id);

    const ts = req.headers['x-segmentloom-timestamp'] as string;
    const sig = req.headers['x-segmentloom-signature'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, ts, req.body, sig)).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, ts, Buffer.from(req.body), sig)).toEqual({ ok: true });

    // Resending the same alerts keeps the message id, so the receiver can dedupe retries.
    await ch.send(alerts);
    expect(JSON.parse(rx.requests[1]!.body).id).toBe(body.id);
  });

  it('the schema rejects payloads that break the contract', () => {
    const a = { ...toAlert(signal(), BASE_URL) };
    const good = { schema: 'segmentloom.alert.v1', id: `msg_${'a'.repeat(32)}`, sentAt: new Date().toISOString(), alerts: [a] };
    expect(validator.safeParse(good).success).toBe(true);
    expect(validator.safeParse({ ...good, schema: 'segmentloom.alert.v2' }).success).toBe(false);
    expect(validator.safeParse({ ...good, alerts: [{ ...a, classification: 'purple' }] }).success).toBe(false);
    expect(validator.safeParse({ ...good, alerts: [{ ...a, rawValue: 'x' }] }).success).toBe(false);
  });

  it('rejects a tampered body, a wrong secret, a stale or future timestamp, and malformed headers', () => {
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const ts = Math.floor(now / 1000);
    const body = '{"schema":"segmentloom.alert.v1"}';
    const sig = signWebhook(SECRET, ts, body);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now })).toEqual({ ok: true });
    expect(verifyWebhookSignature(SECRET, ts, body.replace('v1', 'v2'), sig, { now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature('another-secret-value', ts, body, sig, { now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now + 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now - 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature(SECRET, ts, body, sig, { now: now + 30_000, toleranceSec: 10 })).toEqual({ ok: false, reason: 'stale' });
    // Re-signing an old body with a fresh timestamp needs the secret: swapping the timestamp alone fails.
    expect(verifyWebhookSignature(SECRET, ts + 1, body, sig, { now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(SECRET, 'abc', body, sig, { now })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhookSignature(SECRET, ts, body, undefined, { now })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhookSignature(SECRET, ts, body, 'v1=short', { now })).toEqual({ ok: false, reason: 'mismatch' });
    // Rotation: several v1 values, any may match.
    expect(verifyWebhookSignature(SECRET, ts, body, `v1=${'0'.repeat(64)},${sig}`, { now })).toEqual({ ok: true });
  });
});
