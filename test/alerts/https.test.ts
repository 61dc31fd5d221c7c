// Alert channels over HTTPS against real TLS receivers: the receiver's certificate is always
// verified; one on a private CA, or self-signed, is refused (the alert stays undelivered, with a
// reason that says it was the certificate) unless the channel's caFile trusts it.
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toAlert } from '../../src/alerts/alert.js';
import { createPagerDutyChannel } from '../../src/alerts/channels/pagerduty.js';
import { createSlackChannel } from '../../src/alerts/channels/slack.js';
import { createWebhookChannel } from '../../src/alerts/channels/webhook.js';
import { parseAlertsConfig } from '../../src/alerts/config.js';
import { DeliveryError } from '../../src/alerts/errors.js';
import { verifyWebhookSignature } from '../../src/alerts/signature.js';
import { createCa, createSelfSignedCert, createServerCert, type ServerCert, type TestCa } from '../../scripts/test-certs.js';
import { BASE_URL, channelDefaults, signal, startReceiver, type Receiver } from './helpers.js';

const SECRET = 'whsec_test_0123456789abcdef';
let ca: TestCa;
let signed: ServerCert;
let selfSigned: ServerCert;
let rx: Receiver | undefined;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-alerts-tls-'));
  ca = createCa(join(dir, 'ca'), 'Alerts Test CA');
  signed = createServerCert(ca, { name: 'receiver', ips: ['127.0.0.1'], dns: [] });
  selfSigned = createSelfSignedCert(join(dir, 'self'), { name: 'self-signed-receiver', ips: ['127.0.0.1'], dns: [] });
});

afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

function webhook(url: string, caFile?: string) {
  return createWebhookChannel({ ...channelDefaults(), name: 'hook', type: 'webhook', url, secret: SECRET, ...(caFile ? { caFile } : {}) });
}

async function refusal(send: Promise<unknown>): Promise<DeliveryError> {
  const err = await send.then(
    () => new Error('delivered'),
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('alert channels over HTTPS', () => {
  it('refuses a receiver whose certificate comes from a CA it was not given, and sends it nothing', async () => {
    rx = await startReceiver(() => ({ status: 204 }), { tls: signed });
    const err = await refusal(webhook(rx.url).send([toAlert(signal(), BASE_URL)]));
    expect(err.message).toMatch(
      /webhook channel "hook": TLS certificate of the receiver rejected \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    // Retryable: parked in the outbox until the receiver (or the config) is fixed, never dropped.
    expect(err.retryable).toBe(true);
    expect(rx.requests).toHaveLength(0);
  });

  it('refuses a self-signed receiver by default', async () => {
    rx = await startReceiver(() => ({ status: 204 }), { tls: selfSigned });
    const err = await refusal(webhook(rx.url).send([toAlert(signal(), BASE_URL)]));
    expect(err.message).toMatch(/TLS certificate of the receiver rejected \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(rx.requests).toHaveLength(0);
  });

  it("delivers to a self-signed receiver once its certificate is the channel's caFile", async () => {
    rx = await startReceiver(() => ({ status: 204 }), { tls: selfSigned });
    await webhook(rx.url, selfSigned.certFile).send([toAlert(signal(), BASE_URL)]);
    expect(rx.requests).toHaveLength(1);
  });

  it('delivers a signed webhook to a receiver on the configured private CA', async () => {
    rx = await startReceiver(() => ({ status: 204 }), { tls: signed });
    await webhook(rx.url, ca.certFile).send([toAlert(signal(), BASE_URL)]);
    const req = rx.requests[0]!;
    expect(
      verifyWebhookSignature(SECRET, req.headers['x-segmentloom-timestamp'] as string, req.body, req.headers['x-segmentloom-signature'] as string, {
        now: Date.now(),
      }),
    ).toEqual({ ok: true });
  });

  it('delivers Slack and PagerDuty alerts over HTTPS with the CA configured', async () => {
    rx = await startReceiver(() => ({ status: 202, body: 'ok' }), { tls: signed });
    await createSlackChannel({ ...channelDefaults(), name: 'slack', type: 'slack', url: rx.url, showItems: 10, caFile: ca.certFile }, BASE_URL).send([
      toAlert(signal(), BASE_URL),
    ]);
    await createPagerDutyChannel({
      ...channelDefaults(),
      name: 'pd',
      type: 'pagerduty',
      url: rx.url,
      routingKey: 'R0UTINGKEY',
      incidentWindowMs: 3_600_000,
      caFile: ca.certFile,
    }).send([toAlert(signal(), BASE_URL)]);
    expect(rx.requests.map((r) => JSON.parse(r.body))).toEqual([
      expect.objectContaining({ blocks: expect.any(Array) }),
      expect.objectContaining({ routing_key: 'R0UTINGKEY' }),
    ]);
  });

  it('refuses a trusted certificate that does not name the host dialled', async () => {
    rx = await startReceiver(() => ({ status: 204 }), { tls: signed });
    const err = await refusal(webhook(rx.url.replace('127.0.0.1', 'localhost'), ca.certFile).send([toAlert(signal(), BASE_URL)]));
    expect(err.message).toMatch(/TLS certificate of the receiver rejected \(ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('takes caFile in the channel config, and says which channel when the file is missing', () => {
    const cfg = parseAlertsConfig(
      { baseUrl: BASE_URL, channels: [{ type: 'webhook', name: 'hook', url: 'https://hooks.internal/x', secret: SECRET, caFile: '/nonexistent/ca.pem' }] },
      {},
    );
    expect(cfg.channels[0]!.caFile).toBe('/nonexistent/ca.pem');
    expect(() => createWebhookChannel(cfg.channels[0] as Parameters<typeof createWebhookChannel>[0])).toThrow(
      /alert channel "hook": cannot read caFile \/nonexistent\/ca.pem: ENOENT/,
    );
  });
});
