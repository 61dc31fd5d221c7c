import { describe, expect, it } from 'vitest';
import { alertId, inboxUrl, pointKey, toAlert } from '../../src/alerts/alert.js';
import { backoffDelay } from '../../src/alerts/backoff.js';
import { TokenBucket } from '../../src/alerts/rate-limit.js';
import { BASE_URL, signal } from './helpers.js';

describe('alert building', () => {
  it('URL-encodes every inbox query value', () => {
    const url = inboxUrl('https://sl.example.com/', 'web & ios', 'Order Completed?', 'properties.items[0].e+mail#x');
    expect(url).toBe('https://sl.example.com/inventory/inbox?source=web%20%26%20ios&event=Order%20Completed%3F&path=properties.items%5B0%5D.e%2Bmail%23x');
    const q = new URL(url).searchParams;
    expect([q.get('source'), q.get('event'), q.get('path')]).toEqual(['web & ios', 'Order Completed?', 'properties.items[0].e+mail#x']);
  });

  it('gives a signal a stable id and a point a stable key, and copies only the masked example', () => {
    const s = signal({ kind: 'drift', classification: 'yellow' });
    expect(alertId(s)).toBe(alertId(structuredClone(s)));
    expect(alertId(s)).not.toBe(alertId({ ...s, detectedAt: '2030-01-01T00:00:00.000Z' }));
    const a = toAlert(s, BASE_URL);
    expect(a).toMatchObject({
      kind: 'drift',
      classification: 'yellow',
      example: 'j***@e***.com',
      previous: { category: null, classification: 'green' },
      category: { id: 'email', dataCategory: 'user.contact.email' },
    });
    expect(a).not.toHaveProperty('count');
    const asNew: typeof a = { ...a, kind: 'new' };
    expect(pointKey(a)).toBe(pointKey(asNew));
    expect(pointKey(a)).not.toBe(pointKey({ ...a, path: `${a.path}x` }));
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and jitters over the whole range', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 500, 60_000, () => 1))).toEqual([500, 1000, 2000, 4000, 60_000]);
    expect(backoffDelay(5, 500, 60_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 500, 60_000, () => 0.5)).toBe(1000);
  });
});

describe('token bucket', () => {
  it('allows a burst of perMinute, then refills continuously', () => {
    let t = 0;
    const b = new TokenBucket(30, () => t);
    expect(b.tryTake(30)).toBe(true);
    expect(b.tryTake()).toBe(false);
    t += 1999;
    expect(b.available()).toBe(0);
    t += 1;
    expect(b.tryTake()).toBe(true);
    t += 10 * 60_000;
    expect(b.available()).toBe(30); // capped at the burst size
  });
});

describe('docs/alerts.md', () => {
  it('documents exactly the exported webhook JSON Schema', async () => {
    const { readFile } = await import('node:fs/promises');
    const { webhookSchemaV1 } = await import('../../src/alerts/webhook-schema.js');
    const md = await readFile(new URL('../../docs/alerts.md', import.meta.url), 'utf8');
    const block = md
      .split('```json\n')
      .map((s) => s.split('\n```')[0]!)
      .find((s) => s.includes('"$schema"'));
    expect(JSON.parse(block!)).toEqual(webhookSchemaV1);
  });
});
