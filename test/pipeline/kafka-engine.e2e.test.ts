// The engine against a real broker: controls, routing, consent, suppression, dead letters,
// keys/headers, metrics/readiness, hot reload, and two engines sharing one consumer group.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { DLQ_HEADER } from '../../src/events/dead-letter.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { describeKafka } from '../helpers/kafka.js';
import { kafkaEngineHead, type PolicyTopics, policyTopics } from './engine-harness.js';
import { expectedHash, policyYaml, sampleEvent, tempDir } from './helpers.js';
import { createTopics, produce, testKafka, TopicReader, uniqueName, waitForGroupShared, waitUntil } from './kafka-helpers.js';

type Topics = PolicyTopics;

function engineYaml(t: Topics, groupId: string, extra = ''): string {
  return `
${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq })}limits: { maxDepth: 10 }
suppression: { userIds: [suppressed-user] }
batch: { maxWaitMs: 50 }
reload: { debounceMs: 20, pollMs: 200 }
${extra}`;
}

describeKafka('pipeline engine on Kafka', () => {
  const kafka = testKafka();
  const engines: EngineHandle[] = [];
  const readers: TopicReader[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => {})));
    if (process.env.DBG)
      console.log(
        'reader duplicates',
        readers.map((r) => r.duplicates),
        'engine in',
        engines.map((e) => e.totals.totals.eventsIn),
      );
    await Promise.all(readers.map((r) => r.stop().catch(() => {})));
  });

  async function start(file: string): Promise<EngineHandle> {
    const engine = await startKafkaEngine(await loadEngineConfig(file, {}), {
      logger: process.env.DBG ? (await import('../../src/core/logger.js')).createLogger({ level: 'debug' }) : silentLogger(),
      env: {},
    });
    engines.push(engine);
    return engine;
  }

  async function reader(topics: string[]): Promise<TopicReader> {
    const r = await new TopicReader(kafka, topics).start();
    readers.push(r);
    return r;
  }

  let t: Topics;
  let engine: EngineHandle;
  let out: TopicReader;
  const bad = [
    { key: 'bad-1', value: '{"type":"track","event":"x","properties":{"email":"leak@example.com"', headers: { origin: 'sdk' } },
    { key: 'bad-2', value: '"a string"' },
    { key: 'bad-3', value: JSON.stringify({ type: 'track', event: 'deep', properties: JSON.parse(`${'{"a":'.repeat(15)}1${'}'.repeat(15)}`) }) },
    { key: 'bad-4', value: null },
  ];

  beforeAll(async () => {
    t = policyTopics('engine');
    await createTopics(kafka, [t.input, t.warehouse, t.analytics, t.ads, t.dlq], 3);
    const dir = tempDir();
    const file = join(dir, 'engine.yaml');
    writeFileSync(file, `${engineYaml(t, uniqueName('group'))}\nmetrics: { port: 0, host: 127.0.0.1 }\n${policyYaml(t)}`);
    const events = [
      ...Array.from({ length: 30 }, (_, i) => ({
        key: `user-${i % 5}`,
        value: JSON.stringify(sampleEvent({ messageId: `ok-${i}`, userId: `user-${i % 5}`, seq: i })),
        headers: { 'x-trace': `t-${i}` },
      })),
      {
        key: 'user-x',
        value: JSON.stringify(sampleEvent({ messageId: 'no-ads', context: { consent: { categoryPreferences: { Advertising: false, Analytics: true } } } })),
      },
      {
        key: 'user-y',
        value: JSON.stringify(
          sampleEvent({ messageId: 'gpc', context: { gpc: true, consent: { categoryPreferences: { Advertising: true, Analytics: false } } } }),
        ),
      },
      { key: 'suppressed-user', value: JSON.stringify(sampleEvent({ messageId: 'suppressed', userId: 'suppressed-user' })) },
      ...bad,
    ];
    await produce(kafka, t.input, events);
    engine = await start(file);
    out = await reader([t.warehouse, t.analytics, t.ads, t.dlq]);
    await out.waitFor(() => out.of(t.warehouse).length >= 32 && out.of(t.dlq).length >= 4 && out.of(t.ads).length >= 30 && out.of(t.analytics).length >= 31);
  }, 120_000);

  it('blocks secrets everywhere and hashes contact data for ads with the expected HMAC', () => {
    for (const topic of [t.warehouse, t.analytics, t.ads]) {
      for (const event of out.json(topic)) {
        expect(event.properties).not.toHaveProperty('password');
        expect(event.properties.payment?.card ?? {}).not.toHaveProperty('number');
      }
    }
    const ads = out.json(t.ads).find((e) => e.messageId === 'ok-0')!;
    expect(ads.properties.email).toBe(expectedHash('ada@example.com'));
    expect(ads.properties.phone).toBe(expectedHash('+1 415 555 0100'));
    const warehouse = out.json(t.warehouse).find((e) => e.messageId === 'ok-0')!;
    expect(warehouse.properties.email).toBe('ada@example.com');
    const analytics = out.json(t.analytics).find((e) => e.messageId === 'ok-0')!;
    expect(analytics.properties).not.toHaveProperty('email');
    expect(analytics.properties.total).toBe(42);
  });

  it('routes per destination with consent gating and suppression', () => {
    const ids = (topic: string) => new Set(out.json(topic).map((e) => e.messageId));
    expect(ids(t.warehouse)).toEqual(new Set([...Array.from({ length: 30 }, (_, i) => `ok-${i}`), 'no-ads', 'gpc']));
    expect(ids(t.ads).has('no-ads')).toBe(false);
    expect(ids(t.ads).has('gpc')).toBe(false);
    expect(ids(t.analytics).has('gpc')).toBe(false);
    expect(ids(t.analytics).has('no-ads')).toBe(true);
    for (const topic of [t.warehouse, t.analytics, t.ads]) expect(ids(topic).has('suppressed')).toBe(false);
  });

  it('keeps keys and headers, and per-key order within a partition', () => {
    // At-least-once: a redelivery (e.g. a commit refused while the coordinator loads) may repeat
    // outputs; the first occurrence of each event is what order is judged on.
    const seen = new Set<string>();
    const outputs = out.of(t.warehouse).filter((m) => {
      const id = JSON.parse(String(m.value)).messageId as string;
      if (!m.headers['x-trace'] || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    expect(outputs).toHaveLength(30);
    for (const m of outputs) {
      const event = JSON.parse(String(m.value));
      expect(String(m.key)).toBe(`user-${event.seq % 5}`);
      expect(String(m.headers['x-trace'])).toBe(`t-${event.seq}`);
    }
    for (let k = 0; k < 5; k++) {
      const same = outputs.filter((m) => String(m.key) === `user-${k}`);
      expect(new Set(same.map((m) => m.partition)).size).toBe(1);
      const seqs = same.sort((a, b) => Number(a.offset) - Number(b.offset)).map((m) => JSON.parse(String(m.value)).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('dead-letters bad input with original bytes, key, headers and reason headers', () => {
    const dlq = out.of(t.dlq);
    const byKey = new Map(dlq.map((m) => [String(m.key), m]));
    expect([...byKey.keys()].sort()).toEqual(['bad-1', 'bad-2', 'bad-3', 'bad-4']);
    const first = byKey.get('bad-1')!;
    expect(String(first.value)).toBe(bad[0]!.value);
    expect(String(first.headers.origin)).toBe('sdk');
    expect(String(first.headers[DLQ_HEADER.code])).toBe('malformed_json');
    expect(String(first.headers[DLQ_HEADER.sourceTopic])).toBe(t.input);
    expect(String(first.headers[DLQ_HEADER.partition])).toMatch(/^\d$/);
    expect(String(first.headers[DLQ_HEADER.offset])).toMatch(/^\d+$/);
    expect(String(first.headers[DLQ_HEADER.reason])).not.toContain('leak');
    expect(String(byKey.get('bad-2')!.headers[DLQ_HEADER.code])).toBe('not_an_object');
    expect(String(byKey.get('bad-3')!.headers[DLQ_HEADER.code])).toBe('too_deep');
    expect(byKey.get('bad-4')!.value).toBeNull();
    expect(String(byKey.get('bad-4')!.headers[DLQ_HEADER.code])).toBe('empty');
  });

  it('serves metrics and readiness', async () => {
    await waitUntil(() => engine.ready(), 30_000, 'readiness');
    const url = engine.server!.url;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(value('segmentloom_events_in_total')).toBeGreaterThanOrEqual(37);
    expect(value('segmentloom_events_dead_lettered_total{code="malformed_json"}')).toBeGreaterThanOrEqual(1);
    expect(value('segmentloom_events_dropped_total{reason="suppressed"}')).toBeGreaterThanOrEqual(1);
    expect(value('segmentloom_events_out_total{destination="warehouse"}')).toBeGreaterThanOrEqual(32);
    expect(text).toMatch(/segmentloom_consumer_lag\{topic="[^"]+",partition="\d"\} 0/);
    expect(text).not.toContain('ada@example.com');
  });

  it('applies a changed policy file without a restart (processing in a worker thread)', async () => {
    const t2 = policyTopics('reload');
    await createTopics(kafka, [t2.input, t2.warehouse, t2.dlq], 1);
    const dir = tempDir();
    const policies = join(dir, 'policies.yaml');
    writeFileSync(policies, `destinations:\n  - { name: warehouse, topic: ${t2.warehouse} }\n`);
    const file = join(dir, 'engine.yaml');
    // With a processing worker: the reload must reach the worker thread too.
    writeFileSync(
      file,
      `${engineYaml(t2, uniqueName('group')).replace('batch: { maxWaitMs: 50 }', 'batch: { maxWaitMs: 50, workers: 1 }')}\npolicyFile: policies.yaml\n`,
    );
    const running = await start(file);
    const r = await reader([t2.warehouse]);
    await produce(kafka, t2.input, [{ key: 'k', value: JSON.stringify(sampleEvent({ messageId: 'before' })) }]);
    await r.waitFor(() => r.of(t2.warehouse).length === 1);
    expect(r.json(t2.warehouse)[0]!.properties.email).toBe('ada@example.com');

    const generation = running.reloader!.current;
    writeFileSync(
      policies,
      `destinations:\n  - { name: warehouse, topic: ${t2.warehouse} }\npolicies:\n  - { name: no-email, match: { categories: [email] }, action: block }\n`,
    );
    await waitUntil(() => running.reloader!.current !== generation, 20_000, 'reload');
    await produce(kafka, t2.input, [{ key: 'k', value: JSON.stringify(sampleEvent({ messageId: 'after' })) }]);
    await r.waitFor(() => r.of(t2.warehouse).length === 2);
    const after = r.json(t2.warehouse)[1]!;
    expect(after.messageId).toBe('after');
    expect(after.properties).not.toHaveProperty('email');
    expect(after.properties.total).toBe(42);
  }, 90_000);

  // The second case is a rolling upgrade: an engine still on the kafkajs consumer and one on
  // @platformatic/kafka share the group (both announce the RoundRobinAssigner protocol).
  it.each([
    ['two engines', 'platformatic', 'platformatic'],
    ['a kafkajs and a @platformatic/kafka engine', 'kafkajs', 'platformatic'],
  ])(
    'shares partitions between %s in one consumer group',
    async (_label, first, second) => {
      const t3 = policyTopics('group');
      await createTopics(kafka, [t3.input, t3.warehouse, t3.dlq], 4);
      const dir = tempDir();
      const groupId = uniqueName('shared');
      const fileFor = (consumer: string) => {
        const file = join(dir, `engine-${consumer}.yaml`);
        writeFileSync(
          file,
          `${engineYaml(t3, groupId).replace('  fromBeginning: true', `  fromBeginning: true\n  consumer: ${consumer}`)}\ndestinations:\n  - { name: warehouse, topic: ${t3.warehouse} }\n`,
        );
        return file;
      };
      const a = await start(fileFor(first));
      const b = await start(fileFor(second));
      await waitUntil(() => a.ready() && b.ready(), 60_000, 'both engines to join');
      await waitForGroupShared(kafka, groupId, 2);
      const events = Array.from({ length: 400 }, (_, i) => ({ key: `k-${i % 40}`, value: JSON.stringify(sampleEvent({ messageId: `g-${i}` })) }));
      await produce(kafka, t3.input, events);
      const r = await reader([t3.warehouse]);
      await r.waitFor(() => new Set(r.json(t3.warehouse).map((e) => e.messageId)).size === 400, 60_000);
      // Outputs are visible before an engine finishes its batch (commit, totals): wait for the totals.
      await waitUntil(() => a.totals.totals.eventsIn + b.totals.totals.eventsIn >= 400, 30_000, 'both engines to account their batches');
      const inA = a.totals.totals.eventsIn;
      const inB = b.totals.totals.eventsIn;
      expect(inA).toBeGreaterThan(0);
      expect(inB).toBeGreaterThan(0);
      expect(inA + inB).toBeGreaterThanOrEqual(400);
    },
    120_000,
  );
});
