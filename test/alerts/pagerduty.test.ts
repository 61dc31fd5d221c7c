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
  return { ...channelDefaults(), name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0123456789', url, incidentWindowMs: 3_600_000 };
}

interface PdEvent {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: { summary: string; source: string; severity: string; component: string; group: string; class: string; custom_details: Record<string, unknown> };
  links: Array<{ href: string; text: string }>;
}

interface PdPoint {
  path: string;
  event: string;
  classification: string;
  masked_example: string | null;
  review_url: string;
}

const incident = (source: string, windowStart: string) => `segmentloom:${createHash('sha256').update(`${source}|${windowStart}`).digest('hex')}`;

describe('pagerduty channel', () => {
  it('pages a burst of new red points once per source, every point listed in custom_details', async () => {
    rx = await startReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const ch = createPagerDutyChannel(pdCfg(rx.url));
    const web = Array.from({ length: 10 }, (_, i) => signal({ classification: 'red', source: 'web', path: `properties.card_${i}`, event: 'Checkout' }));
    const ios = [signal({ classification: 'yellow', source: 'ios', path: 'traits.zip' }), signal({ classification: 'red', source: 'ios', path: 'traits.ssn' })];
    await ch.send([...web.slice(0, 5), ...ios, ...web.slice(5)].map((s) => toAlert(s, BASE_URL)));

    // Ten red points from web and two from ios: two pages, not twelve.
    expect(rx.requests).toHaveLength(2);
    const [fromWeb, fromIos] = rx.requests.map((r) => JSON.parse(r.body) as PdEvent);
    expect(fromWeb!.routing_key).toBe('R0UTINGKEY0123456789');
    expect(fromWeb!.event_action).toBe('trigger');
    expect(fromWeb!.dedup_key).toBe(incident('web', '2025-01-01T00:00:00.000Z'));
    expect(fromIos!.dedup_key).toBe(incident('ios', '2025-01-01T00:00:00.000Z'));
    expect(fromWeb!.payload).toMatchObject({ source: 'segmentloom', component: 'web', severity: 'critical', group: 'Checkout' });
    expect(fromWeb!.payload.summary).toContain('10 data points from web');
    const points = fromWeb!.payload.custom_details.points as PdPoint[];
    expect(points.map((p) => p.path).sort()).toEqual(web.map((s) => s.point.path).sort());
    expect(points[0]).toMatchObject({ classification: 'red', masked_example: 'j***@e***.com', event: 'Checkout' });
    expect(points[0]!.review_url).toBe(`${BASE_URL}/inventory/inbox?source=web&event=Checkout&path=${points[0]!.path}`);
    expect(fromWeb!.payload.custom_details.points_total).toBe(10);
    expect(fromWeb!.links).toEqual([{ href: `${BASE_URL}/inventory/inbox?source=web`, text: 'Review in Segmentloom inbox' }]);
    // The riskiest first, and the incident as severe as its riskiest point.
    expect((fromIos!.payload.custom_details.points as PdPoint[]).map((p) => p.path)).toEqual(['traits.ssn', 'traits.zip']);
    expect(fromIos!.payload.severity).toBe('critical');

    // More points of web in the same window join the open incident (same dedup_key): no new page.
    await ch.send([toAlert(signal({ source: 'web', path: 'properties.iban', event: 'Checkout' }), BASE_URL)]);
    expect((JSON.parse(rx.requests[2]!.body) as PdEvent).dedup_key).toBe(fromWeb!.dedup_key);
  });

  it('one point alone is paged with its own summary and link', async () => {
    rx = await startReceiver(() => ({ status: 202 }));
    const ch = createPagerDutyChannel(pdCfg(rx.url));
    const green = signal({ classification: 'green', path: 'properties.flag', category: null, source: 'web', event: 'Checkout' });
    await ch.send([toAlert(green, BASE_URL)]);
    const e = JSON.parse(rx.requests[0]!.body) as PdEvent;
    expect(e.payload).toMatchObject({ severity: 'info', class: 'unclassified' });
    expect(e.payload.summary).toContain('properties.flag');
    expect(e.links[0]!.href).toBe(`${BASE_URL}/inventory/inbox?source=web&event=Checkout&path=properties.flag`);
  });

  it('on failure reports only the points of the sources not yet accepted', async () => {
    rx = await startReceiver((n) => (n === 2 ? { status: 500 } : { status: 202 }));
    const ch = createPagerDutyChannel(pdCfg(rx.url));
    const alerts = [signal({ source: 'a' }), signal({ source: 'b' }), signal({ source: 'c' })].map((s) => toAlert(s, BASE_URL));
    const err = (await ch.send(alerts).catch((x: unknown) => x)) as DeliveryError;
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.retryable).toBe(true);
    expect(err.opts.undelivered!.map((a) => a.id)).toEqual([alerts[1]!.id, alerts[2]!.id]);
  });
});
