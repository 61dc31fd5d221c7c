import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { toAlert } from '../../src/alerts/alert.js';
import { createPagerDutyChannel } from '../../src/alerts/channels/pagerduty.js';
import type { PagerDutyChannelConfig } from '../../src/alerts/config.js';
import { DeliveryError } from '../../src/alerts/errors.js';
import { BASE_URL, channelDefaults, signal, startReceiver, type Receiver } from './helpers.js';

let rx: Receiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

function pdCfg(url: string): PagerDutyChannelConfig {
  return { ...channelDefaults(), name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0123456789', url };
}

interface PdEvent {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: { summary: string; source: string; severity: string; component: string; group: string; class: string; custom_details: Record<string, unknown> };
  links: Array<{ href: string; text: string }>;
}

describe('pagerduty channel', () => {
  it('sends one Events API v2 trigger per point with stable dedup keys and severity mapping', async () => {
    rx = await startReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const ch = createPagerDutyChannel(pdCfg(rx.url));
    const red = signal({ classification: 'red', path: 'properties.card', category: 'credit_card', source: 'web', event: 'Checkout' });
    const yellow = signal({ classification: 'yellow', path: 'properties.zip' });
    const green = signal({ classification: 'green', path: 'properties.flag', category: null });
    await ch.send([red, yellow, green].map((s) => toAlert(s, BASE_URL)));

    expect(rx.requests).toHaveLength(3);
    const events = rx.requests.map((r) => JSON.parse(r.body) as PdEvent);
    expect(events.map((e) => e.payload.severity)).toEqual(['critical', 'warning', 'info']);
    const e = events[0]!;
    expect(e.routing_key).toBe('R0UTINGKEY0123456789');
    expect(e.event_action).toBe('trigger');
    expect(e.dedup_key).toBe(`segmentloom:${createHash('sha256').update('web|Checkout|properties.card').digest('hex')}`);
    expect(e.payload).toMatchObject({ source: 'segmentloom', component: 'web', group: 'Checkout', class: 'credit_card' });
    expect(e.payload.summary).toContain('properties.card');
    expect(e.payload.custom_details).toMatchObject({ path: 'properties.card', masked_example: 'j***@e***.com', matcher: 'key synonym "email"' });
    expect(e.links).toEqual([{ href: `${BASE_URL}/inventory/inbox?source=web&event=Checkout&path=properties.card`, text: 'Review in Segmentloom inbox' }]);
    expect(events[2]!.payload.class).toBe('unclassified');

    // Same point again (e.g. a drift later): same dedup_key, so PagerDuty folds it into one incident.
    await ch.send([toAlert({ ...signal({ kind: 'drift', path: 'properties.card', source: 'web', event: 'Checkout' }) }, BASE_URL)]);
    expect((JSON.parse(rx.requests[3]!.body) as PdEvent).dedup_key).toBe(e.dedup_key);
    expect(new Set(events.map((x) => x.dedup_key)).size).toBe(3);
  });

  it('on failure reports only the points not yet accepted', async () => {
    rx = await startReceiver((n) => (n === 2 ? { status: 500 } : { status: 202 }));
    const ch = createPagerDutyChannel(pdCfg(rx.url));
    const alerts = [signal(), signal(), signal()].map((s) => toAlert(s, BASE_URL));
    const err = (await ch.send(alerts).catch((x: unknown) => x)) as DeliveryError;
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.retryable).toBe(true);
    expect(err.opts.undelivered!.map((a) => a.id)).toEqual([alerts[1]!.id, alerts[2]!.id]);
  });
});
