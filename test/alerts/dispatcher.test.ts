import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAlertsConfig, type AlertsConfig } from '../../src/alerts/config.js';
import { AlertDispatcher } from '../../src/alerts/dispatcher.js';
import type { AlertStatus } from '../../src/alerts/metrics.js';
import { MemoryOutbox } from '../../src/alerts/outbox.js';
import { BASE_URL, signal, startReceiver, type Receiver } from './helpers.js';

const SECRET = 'whsec_test_0123456789abcdef';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const rx = await startReceiver(...args);
  cleanups.push(() => rx.close());
  return rx;
}

function config(channels: unknown[], outbox = { retryIntervalMs: 0 }): AlertsConfig {
  return parseAlertsConfig({ baseUrl: BASE_URL, channels, outbox }, {});
}

function dispatcher(opts: ConstructorParameters<typeof AlertDispatcher>[0]): AlertDispatcher {
  const d = new AlertDispatcher(opts);
  cleanups.push(() => d.close());
  return d;
}

function metrics() {
  const counts: Record<string, number> = {};
  return {
    counts,
    onMetric: (m: { labels: { channel: string; status: AlertStatus }; value: number }) => {
      const k = `${m.labels.channel}:${m.labels.status}`;
      counts[k] = (counts[k] ?? 0) + m.value;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AlertDispatcher', () => {
  it('groups 30 signals within the window into one Slack message', async () => {
    const rx = await receiver();
    const m = metrics();
    const d = dispatcher({ config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 200 } }]), onMetric: m.onMetric });
    for (let i = 0; i < 30; i++) d.enqueue(signal());
    await rx.waitFor(1);
    await sleep(300);
    expect(rx.requests).toHaveLength(1);
    const msg = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(msg.text).toBe('🔴 30 new data points');
    expect(msg.blocks.some((b) => b.text?.text.includes('+20 more'))).toBe(true);
    expect(m.counts['sec:delivered']).toBe(30);
  });

  it('routes by classification and kind', async () => {
    const slack = await receiver();
    const hook = await receiver();
    const d = dispatcher({
      config: config([
        { name: 'red-new', type: 'slack', url: slack.url, routes: { classifications: ['red'], kinds: ['new'] }, digest: { windowMs: 20 } },
        {
          name: 'drift',
          type: 'webhook',
          url: hook.url,
          secret: SECRET,
          routes: { classifications: ['red', 'yellow'], kinds: ['drift'] },
          digest: { windowMs: 20 },
        },
      ]),
    });
    const queued = d.enqueue([
      signal({ classification: 'red' }),
      signal({ classification: 'yellow' }),
      signal({ classification: 'green' }),
      signal({ kind: 'drift', classification: 'yellow' }),
      signal({ kind: 'drift', classification: 'green' }),
    ]);
    expect(queued).toBe(2);
    await d.flush();
    expect(slack.requests).toHaveLength(1);
    expect(JSON.parse(slack.requests[0]!.body).text).toBe('🔴 1 new data point');
    expect(hook.requests).toHaveLength(1);
    const body = JSON.parse(hook.requests[0]!.body) as { alerts: Array<{ kind: string; classification: string }> };
    expect(body.alerts).toEqual([expect.objectContaining({ kind: 'drift', classification: 'yellow' })]);
  });

  it('rate-limits per channel: over the limit, alerts wait for a later window instead of being dropped', async () => {
    const rx = await receiver();
    let clock = Date.UTC(2025, 0, 1);
    const d = dispatcher({
      config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 30, maxItems: 10 }, rateLimit: { perMinute: 2 } }]),
      now: () => clock,
    });
    d.enqueue(Array.from({ length: 25 }, () => signal()));
    await rx.waitFor(2);
    await sleep(200);
    // Two tokens: two digests of 10; the last 5 wait.
    expect(rx.requests).toHaveLength(2);
    expect(d.pending()).toEqual({ sec: 5 });
    d.enqueue(signal());
    await sleep(150);
    expect(rx.requests).toHaveLength(2);
    expect(d.pending()).toEqual({ sec: 6 });

    clock += 30_000; // one token refilled
    await rx.waitFor(3);
    expect(JSON.parse(rx.requests[2]!.body).text).toBe('🔴 6 new data points');
    expect(d.pending()).toEqual({ sec: 0 });
  });

  it('PagerDuty gets one event per source per digest, not one per point', async () => {
    const rx = await receiver(() => ({ status: 202 }));
    const d = dispatcher({
      config: config([{ name: 'pd', type: 'pagerduty', routingKey: 'KEY', url: rx.url, digest: { windowMs: 20 }, rateLimit: { perMinute: 3 } }]),
    });
    d.enqueue([signal({ source: 'web' }), signal({ source: 'web' }), signal({ source: 'web' }), signal({ source: 'ios' })]);
    await rx.waitFor(2);
    await d.flush();
    expect(rx.requests).toHaveLength(2);
    const events = rx.requests.map((r) => JSON.parse(r.body) as { payload: { component: string; custom_details: { points: unknown[] } } });
    expect(events.map((e) => [e.payload.component, e.payload.custom_details.points.length])).toEqual([
      ['web', 3],
      ['ios', 1],
    ]);
    expect(d.pending()).toEqual({ pd: 0 });
  });

  it('retries with exponential backoff: fails twice with 500, then delivered once', async () => {
    const rx = await receiver((n) => (n <= 2 ? { status: 500, body: 'boom' } : { status: 200 }));
    const m = metrics();
    const outbox = new MemoryOutbox();
    const d = dispatcher({
      config: config([
        { name: 'hook', type: 'webhook', url: rx.url, secret: SECRET, digest: { windowMs: 10 }, retry: { attempts: 5, baseMs: 60, maxMs: 1000 } },
      ]),
      outbox,
      onMetric: m.onMetric,
      random: () => 1, // jitter pinned to its ceiling: delays are exactly 60 ms then 120 ms
    });
    d.enqueue(signal());
    await rx.waitFor(3);
    await d.flush();
    expect(rx.requests).toHaveLength(3);
    const [r1, r2, r3] = rx.requests;
    expect(r2!.at - r1!.at).toBeGreaterThanOrEqual(55);
    expect(r3!.at - r2!.at).toBeGreaterThanOrEqual(115);
    // Every attempt carries the same message id: the receiver sees one alert, delivered once.
    const ids = rx.requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(ids).size).toBe(1);
    expect(m.counts).toEqual({ 'hook:retried': 2, 'hook:delivered': 1 });
    expect(await outbox.size()).toBe(0);
  });

  it('after the last retry the alert waits in the outbox; retryOutbox() delivers it once the receiver recovers', async () => {
    let down = true;
    const rx = await receiver(() => (down ? { status: 503 } : { status: 200 }));
    const m = metrics();
    const outbox = new MemoryOutbox();
    const d = dispatcher({
      config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 10 }, retry: { attempts: 3, baseMs: 5, maxMs: 20 } }]),
      outbox,
      onMetric: m.onMetric,
    });
    d.enqueue([signal(), signal()]);
    await rx.waitFor(3);
    await d.flush();
    expect(rx.requests).toHaveLength(3);
    expect(await outbox.size()).toBe(1);
    expect(m.counts['sec:outboxed']).toBe(2);

    // Still down: the sweep tries once, keeps the entry, and backs it off.
    expect(await d.retryOutbox()).toEqual({ delivered: 0, failed: 2, deferred: 0 });
    expect(await outbox.size()).toBe(1);
    const [entry] = await outbox.claimDue({ now: new Date(Date.now() + 10 * 60_000), limit: 10, leaseMs: 0 });
    expect(entry).toMatchObject({ attempts: 1, lastError: 'slack channel "sec": HTTP 503', channel: 'sec' });
    expect(entry!.alerts).toHaveLength(2);
    await outbox.reschedule(entry!.id, { nextAttemptAt: new Date(0), countAttempt: false }); // due again

    down = false;
    const before = rx.requests.length;
    expect(await d.retryOutbox()).toEqual({ delivered: 2, failed: 0, deferred: 0 });
    expect(rx.requests.length - before).toBe(1);
    expect(JSON.parse(rx.requests.at(-1)!.body).text).toBe('🔴 2 new data points');
    expect(await outbox.size()).toBe(0);
    expect(await d.retryOutbox()).toEqual({ delivered: 0, failed: 0, deferred: 0 });
    expect(m.counts['sec:outbox_delivered']).toBe(2);
  });

  it('does not retry requests the receiver rejects as wrong (4xx): they go to the outbox at once', async () => {
    const rx = await receiver(() => ({ status: 404, body: 'no_service' }));
    const outbox = new MemoryOutbox();
    const d = dispatcher({ config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 10 } }]), outbox });
    d.enqueue(signal());
    await rx.waitFor(1);
    await d.flush();
    expect(rx.requests).toHaveLength(1);
    expect(await outbox.size()).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    const rx = await receiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0.2' } } : { status: 200 }));
    const d = dispatcher({
      config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 10 }, retry: { attempts: 3, baseMs: 1, maxMs: 5000 } }]),
      random: () => 0,
    });
    d.enqueue(signal());
    await rx.waitFor(2);
    expect(rx.requests[1]!.at - rx.requests[0]!.at).toBeGreaterThanOrEqual(190);
  });

  it('enqueue never blocks, even while the receiver hangs; the request times out and the alert is kept', async () => {
    const rx = await receiver(() => 'hang');
    const outbox = new MemoryOutbox();
    const d = dispatcher({
      config: config([
        { name: 'hook', type: 'webhook', url: rx.url, secret: SECRET, timeoutMs: 300, digest: { windowMs: 0 }, retry: { attempts: 2, baseMs: 10, maxMs: 10 } },
      ]),
      outbox,
    });
    d.enqueue(signal());
    await rx.waitFor(1); // a request is now stuck at the receiver

    // Synchronous: 1000 enqueues complete in this same tick while the first request is still stuck
    // (no timing threshold — the machine is shared; the structure proves it).
    let result: unknown;
    for (let i = 0; i < 1000; i++) result = d.enqueue(signal());
    expect(typeof result).toBe('number'); // a plain value, not a promise
    expect(d.pending().hook).toBeGreaterThanOrEqual(1000);

    // Each tried batch times out twice (2 × 300 ms); once one is parked at flush the rest follows without requests.
    await d.flush();
    expect(d.pending()).toEqual({ hook: 0 });
    const parked = await outbox.claimDue({ now: new Date(Date.now() + 3_600_000), limit: 100, leaseMs: 0 });
    expect(parked.reduce((n, e) => n + e.alerts.length, 0)).toBe(1001);
    // At most three batches were ever tried (the first signal's, the next window's, flush's), 2 attempts each.
    expect(rx.requests.length).toBeLessThanOrEqual(6);
  });

  it('parks alerts beyond the per-channel queue bound in the outbox instead of dropping them', async () => {
    const rx = await receiver();
    const outbox = new MemoryOutbox();
    const d = dispatcher({ config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 60_000 } }]), outbox });
    expect(d.enqueue(Array.from({ length: 10_003 }, () => signal()))).toBe(10_003);
    expect(d.pending()).toEqual({ sec: 10_000 });
    await sleep(20);
    const [entry] = await outbox.claimDue({ now: new Date(Date.now() + 1000), limit: 10, leaseMs: 0 });
    expect(entry).toMatchObject({ channel: 'sec', lastError: 'queue full' });
    expect(entry!.alerts).toHaveLength(3);
  });

  it('close() flushes what is pending and refuses later signals without throwing', async () => {
    const rx = await receiver();
    const m = metrics();
    const d = new AlertDispatcher({ config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 60_000 } }]), onMetric: m.onMetric });
    d.enqueue([signal(), signal()]);
    await d.close();
    expect(rx.requests).toHaveLength(1);
    expect(d.enqueue(signal())).toBe(0);
    expect(m.counts['sec:rejected']).toBe(1);
    await d.close(); // idempotent
  });

  it('keeps alerts when the outbox store itself fails, and counts into a prom-client registry', async () => {
    const rx = await receiver(() => ({ status: 500 }));
    const registry = new Registry();
    const broken = new MemoryOutbox();
    broken.put = async () => {
      throw new Error('db down');
    };
    const d = dispatcher({
      config: config([{ name: 'sec', type: 'slack', url: rx.url, digest: { windowMs: 5 }, retry: { attempts: 1 } }]),
      outbox: broken,
      registry,
    });
    d.enqueue(signal());
    await rx.waitFor(1);
    await d.flush();
    rx.setBehaviour(() => ({ status: 200 }));
    expect((await d.retryOutbox()).delivered).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('alerts_sent_total{channel="sec",status="outboxed"} 1');
    expect(text).toContain('alerts_sent_total{channel="sec",status="outbox_delivered"} 1');
    // A second dispatcher on the same registry reuses the counter.
    expect(() => new AlertDispatcher({ config: config([]), registry })).not.toThrow();
  });

  it('logs carry ids and counts, never example values, paths of data or receiver URLs', async () => {
    const rx = await receiver(() => ({ status: 500 }));
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
    const d = dispatcher({
      config: config([
        { name: 'sec', type: 'slack', url: `${rx.url}/T000/B000/XXXXSECRETXXXX`, digest: { windowMs: 5 }, retry: { attempts: 2, baseMs: 1, maxMs: 2 } },
      ]),
      logger,
    });
    d.enqueue(signal({ example: 'z***@MARKER.example', path: 'properties.PATHMARKER' }));
    await rx.waitFor(2);
    await d.flush();
    const all = lines.join('');
    expect(all).toContain('alerts parked in the outbox');
    expect(all).not.toContain('MARKER');
    expect(all).not.toContain('XXXXSECRETXXXX');
    expect(all).not.toContain('127.0.0.1');
  });
});
