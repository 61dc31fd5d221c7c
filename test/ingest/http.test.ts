// The HTTP Tracking API contract against a real broker: auth, limits, malformed bodies, duplicate
// messageIds, timestamps, gzip, CORS, context.ip, rate limits. Every accepted event is read back
// from the topic, and at the end the topic holds exactly the accepted events, once each.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKafka } from '../helpers/kafka.js';
import { startTestIngest, type TestIngest } from './helpers.js';

const id = () => randomUUID();
const track = (extra: Record<string, unknown> = {}) => ({ userId: 'user-1', event: 'Order Completed', properties: { total: 12.5 }, messageId: id(), ...extra });

describeKafka('HTTP ingest (Segment Tracking API)', () => {
  let s: TestIngest;
  /** messageIds answered 200: the topic must end up holding exactly these, once each. */
  const accepted = new Set<string>();
  let clock = Date.parse('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    s = await startTestIngest(
      {
        cors: { origins: ['https://shop.example'] },
        trustProxy: ['127.0.0.1'],
        sources: [{ name: 'web' }, { name: 'web-ip', collectIp: true }, { name: 'limited', rateLimit: { eventsPerSecond: 10, burst: 20 } }],
      },
      { now: () => clock },
    );
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  async function ok(path: string, body: unknown, options?: Parameters<TestIngest['post']>[2]) {
    const res = await s.post(path, body, options);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toEqual({ success: true });
    return res;
  }

  async function read(messageId: string): Promise<Record<string, any>> {
    await s.reader.waitFor(() => s.reader.json(s.topic).some((e) => e.messageId === messageId), 30_000, messageId);
    return s.reader.json(s.topic).find((e) => e.messageId === messageId)!;
  }

  describe('accepting', () => {
    it('takes every call type on its own endpoint, keyed by userId (else anonymousId), with receivedAt and a defaulted timestamp', async () => {
      const calls: Array<[string, Record<string, unknown>]> = [
        ['track', track()],
        ['identify', { anonymousId: 'anon-7', traits: { plan: 'pro' }, messageId: id() }],
        ['page', { userId: 'user-1', name: 'Home', messageId: id() }],
        ['screen', { userId: 'user-1', name: 'Cart', messageId: id() }],
        ['group', { userId: 'user-1', groupId: 'acme', messageId: id() }],
        ['alias', { userId: 'user-1', previousId: 'anon-7', messageId: id() }],
      ];
      for (const [type, body] of calls) {
        await ok(type, { ...body, type: 'ignored-the-endpoint-decides' });
        accepted.add(body.messageId as string);
      }
      for (const [type, body] of calls) {
        const event = await read(body.messageId as string);
        expect(event.type).toBe(type);
        expect(event.receivedAt).toBe('2026-03-01T12:00:00.000Z');
        expect(event.timestamp).toBe(event.receivedAt);
        expect(event.originalTimestamp).toBeUndefined();
        const message = s.reader.of(s.topic).find((m) => JSON.parse(String(m.value)).messageId === body.messageId)!;
        expect(String(message.key)).toBe(type === 'identify' ? 'anon-7' : 'user-1');
      }
    });

    it("takes analytics.js's one-letter paths (/v1/t, /v1/i, … /v1/b)", async () => {
      const single = track();
      await ok('t', single);
      const batched = { type: 'identify', userId: 'user-3', messageId: id() };
      await ok('b', { batch: [batched] });
      accepted.add(single.messageId).add(batched.messageId);
      expect((await read(single.messageId)).type).toBe('track');
      expect((await read(batched.messageId)).type).toBe('identify');
    });

    it('accepts the write key in the body, and never passes it on', async () => {
      const body = { ...track(), writeKey: s.writeKey };
      await ok('track', body, { writeKey: null });
      accepted.add(body.messageId);
      const event = await read(body.messageId);
      expect(event.writeKey).toBeUndefined();
      expect(JSON.stringify(event)).not.toContain(s.writeKey);
    });

    it('merges batch context and integrations into each item (the item wins) and corrects timestamps for clock skew', async () => {
      const a = track({ type: 'track', timestamp: '2026-03-01T11:59:00.000Z', context: { locale: 'de-DE' }, integrations: { All: false } });
      const b = { type: 'identify', anonymousId: 'anon-9', messageId: id() };
      // The client's clock runs 10 minutes ahead: it says it sent at 12:10, we received at 12:00.
      await ok('batch', {
        batch: [a, b],
        context: { library: { name: 'analytics-node' }, locale: 'en-US' },
        integrations: { Mixpanel: true },
        sentAt: '2026-03-01T12:10:00.000Z',
        writeKey: s.writeKey,
      });
      accepted.add(a.messageId).add(b.messageId);
      const first = await read(a.messageId);
      expect(first.context).toEqual({ library: { name: 'analytics-node' }, locale: 'de-DE' });
      expect(first.integrations).toEqual({ Mixpanel: true, All: false });
      expect(first.originalTimestamp).toBe('2026-03-01T11:59:00.000Z');
      expect(first.sentAt).toBe('2026-03-01T12:10:00.000Z');
      expect(first.timestamp).toBe('2026-03-01T11:49:00.000Z');
      const second = await read(b.messageId);
      expect(second.timestamp).toBe('2026-03-01T12:00:00.000Z');
      expect(second.context.library).toEqual({ name: 'analytics-node' });
    });

    it('gives events without a messageId one, and reads gzip bodies', async () => {
      const marker = id();
      const res = await s.post('batch', gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'user-2', event: 'Zipped', properties: { marker } }] })), {
        headers: { 'content-encoding': 'gzip' },
      });
      expect(res.status).toBe(200);
      await s.reader.waitFor(() => s.reader.json(s.topic).some((e) => e.properties?.marker === marker), 30_000, 'gzipped event');
      const event = s.reader.json(s.topic).find((e) => e.properties?.marker === marker)!;
      expect(event.messageId).toMatch(/^ingest-[0-9a-f-]{36}$/);
      accepted.add(event.messageId);
    });
  });

  describe('duplicate messageIds', () => {
    it('produces a retried batch once, and a messageId repeated within a batch once', async () => {
      const a = track();
      const b = track();
      await ok('batch', {
        batch: [
          { ...a, type: 'track' },
          { ...b, type: 'track' },
          { ...a, type: 'track' },
        ],
      });
      await ok('batch', {
        batch: [
          { ...a, type: 'track' },
          { ...b, type: 'track' },
        ],
      });
      await ok('track', a);
      accepted.add(a.messageId).add(b.messageId);
      await read(b.messageId);
    });

    it('refuses a messageId of 100 characters or more, takes 99', async () => {
      const long = track({ messageId: 'm'.repeat(100) });
      const res = await s.post('track', long);
      expect(res.status).toBe(400);
      expect(res.json.message).toContain('messageId');
      const fits = track({ messageId: `${id()}`.padEnd(99, 'x') });
      await ok('track', fits);
      accepted.add(fits.messageId);
    });
  });

  describe('refusing', () => {
    it('401 without a write key, with a wrong, malformed or revoked one, or a password; 403 for a source not configured', async () => {
      const body = track();
      const none = await s.post('track', body, { writeKey: null });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Basic');
      const wrong = `${s.writeKey.slice(0, -4)}AAAA`;
      expect((await s.post('track', body, { writeKey: wrong })).status).toBe(401);
      expect((await s.post('track', body, { writeKey: 'not-a-key' })).status).toBe(401);
      const withPassword = await s.post('track', body, {
        writeKey: null,
        headers: { authorization: `Basic ${Buffer.from(`${s.writeKey}:secret`).toString('base64')}` },
      });
      expect(withPassword.status).toBe(401);
      const issued = await s.keys.create(s.t.db, { source: 'web', createdBy: null });
      await s.keys.revoke(s.t.db, issued.key.id);
      expect((await s.post('track', body, { writeKey: issued.writeKey })).status).toBe(401);
      const elsewhere = await s.keys.create(s.t.db, { source: 'mobile', createdBy: null });
      const unconfigured = await s.post('track', body, { writeKey: elsewhere.writeKey });
      expect(unconfigured.status).toBe(403);
      expect(unconfigured.json.code).toBe('source_not_configured');
    });

    it('rotation overlaps: the old write key works until the overlap ends, the new one at once', async () => {
      const issued = await s.keys.create(s.t.db, { source: 'web', createdBy: null });
      const rotated = (await s.keys.rotate(s.t.db, issued.key.id, 3600))!;
      for (const key of [issued.writeKey, rotated.writeKey]) {
        const body = track();
        await ok('track', body, { writeKey: key });
        accepted.add(body.messageId);
      }
      const ended = (await s.keys.rotate(s.t.db, issued.key.id, 0))!;
      expect((await s.post('track', track(), { writeKey: issued.writeKey })).status).toBe(401);
      expect((await s.post('track', track(), { writeKey: rotated.writeKey })).status).toBe(401);
      const body = track();
      await ok('track', body, { writeKey: ended.writeKey });
      accepted.add(body.messageId);
    });

    it('400 for invalid JSON and for payloads that are not Segment messages, naming the problem', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['track', '{"userId": "u", "event": ', 'not valid JSON'],
        ['track', '', 'body'],
        ['track', '[1,2]', 'body: expected a JSON object'],
        ['track', { userId: 'u', messageId: id() }, 'event'],
        ['track', { event: 'E', messageId: id() }, 'userId or anonymousId'],
        ['track', { userId: 'u', event: 'E', timestamp: 'yesterday' }, 'timestamp'],
        ['track', { userId: 'u', event: 'E', context: 'ctx' }, 'context'],
        ['group', { userId: 'u' }, 'groupId'],
        ['alias', { userId: 'u' }, 'previousId'],
        ['batch', { batch: 'no' }, 'batch'],
        ['batch', { batch: [track({ type: 'track' }), { userId: 'u', event: 'E' }] }, 'batch.1.type'],
        ['batch', { batch: [{ type: 'purchase', userId: 'u' }] }, 'batch.0.type'],
      ];
      for (const [path, body, problem] of cases) {
        const res = await s.post(path, body);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect(res.json.success).toBe(false);
        expect(res.json.message).toContain(problem);
      }
    });

    it('400 for an event over 32 KB, a batch over 500 KB or 2,500 events, and a gzip bomb; exactly at the limits is fine', async () => {
      const big = (bytes: number) => track({ properties: { blob: 'x'.repeat(bytes) } });
      expect((await s.post('track', big(33 * 1024))).status).toBe(400);
      const inBatch = await s.post('batch', { batch: [{ ...big(33 * 1024), type: 'track' }] });
      expect(inBatch.status).toBe(400);
      expect(inBatch.json.message).toContain('batch.0');
      const fits = big(31 * 1024);
      await ok('track', fits);
      accepted.add(fits.messageId);

      const many = Array.from({ length: 30 }, () => ({ ...big(17 * 1024), type: 'track' }));
      expect((await s.post('batch', { batch: many })).status).toBe(400);
      const tooMany = Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'E' }));
      const counted = await s.post('batch', { batch: tooMany });
      expect(counted.status).toBe(400);
      expect(counted.json.message).toContain('2500');
      const enough = Array.from({ length: 2500 }, () => ({ type: 'track', userId: 'u', event: 'E', messageId: id() }));
      await ok('batch', { batch: enough });
      for (const e of enough) accepted.add(e.messageId);

      const bomb = gzipSync(JSON.stringify({ batch: [], pad: ' '.repeat(5 * 1024 * 1024) }));
      expect(bomb.length).toBeLessThan(100 * 1024);
      const exploded = await s.post('batch', bomb, { headers: { 'content-encoding': 'gzip' } });
      expect(exploded.status).toBe(400);
      expect((await s.post('batch', Buffer.from('not gzip'), { headers: { 'content-encoding': 'gzip' } })).status).toBe(400);
      expect((await s.post('batch', '{}', { headers: { 'content-encoding': 'br' } })).status).toBe(400);
    });

    it('429 with Retry-After past a source rate limit', async () => {
      const limited = await s.keys.create(s.t.db, { source: 'limited', createdBy: null });
      const batch = Array.from({ length: 20 }, () => ({ type: 'track', userId: 'u', event: 'E', messageId: id() }));
      await ok('batch', { batch }, { writeKey: limited.writeKey });
      for (const e of batch) accepted.add(e.messageId);
      const over = await s.post('track', track(), { writeKey: limited.writeKey });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      clock += 2000;
      const later = track();
      await ok('track', later, { writeKey: limited.writeKey });
      accepted.add(later.messageId);
    });
  });

  describe('browsers and addresses', () => {
    it('answers CORS preflights for configured origins and refuses posts from others', async () => {
      const preflight = await fetch(`${s.url}/v1/batch`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      const foreign = await fetch(`${s.url}/v1/batch`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

      const fromShop = track();
      const res = await s.post(
        'track',
        { ...fromShop, writeKey: s.writeKey },
        { writeKey: null, headers: { origin: 'https://shop.example', 'content-type': 'text/plain' } },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      accepted.add(fromShop.messageId);
      const fromEvil = await s.post('track', track(), { headers: { origin: 'https://evil.example' } });
      expect(fromEvil.status).toBe(403);
    });

    it('fills context.ip from the connection (through trusted proxies) only for sources that collect it', async () => {
      const ipKey = await s.keys.create(s.t.db, { source: 'web-ip', createdBy: null });
      const direct = track();
      await ok('track', direct, { writeKey: ipKey.writeKey });
      const proxied = track();
      await ok('track', proxied, { writeKey: ipKey.writeKey, headers: { 'x-forwarded-for': '203.0.113.9' } });
      const own = track({ context: { ip: '198.51.100.4' } });
      await ok('track', own, { writeKey: ipKey.writeKey });
      const notCollected = track();
      await ok('track', notCollected);
      for (const e of [direct, proxied, own, notCollected]) accepted.add(e.messageId);
      expect((await read(direct.messageId)).context.ip).toBe('127.0.0.1');
      expect((await read(proxied.messageId)).context.ip).toBe('203.0.113.9');
      expect((await read(own.messageId)).context.ip).toBe('198.51.100.4');
      expect((await read(notCollected.messageId)).context).toBeUndefined();
    });
  });

  it('the topic holds exactly the accepted events, each once', async () => {
    const last = track();
    await ok('track', last);
    accepted.add(last.messageId);
    await read(last.messageId);
    const ids = s.reader.json(s.topic).map((e) => e.messageId as string);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(accepted);
  }, 60_000);
});
