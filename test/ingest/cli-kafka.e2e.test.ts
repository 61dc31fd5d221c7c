// `segmentloom ingest serve --config X` in Kafka mode, through the real binary: the stock
// analytics-node client sends to it and a consumer sees each event once in the input topic. Two
// such processes on one PostgreSQL store (as behind a load balancer) never both accept a
// messageId: the second level of dedup is the store's ingest_message_ids table.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WriteKeyStore } from '../../src/api/write-keys.js';
import { ROOT, requireBuild } from '../cli/helpers.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { createTopics, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';
import { tempDir } from '../pipeline/helpers.js';
import { openTestDb, postgresUrl, type TestDb } from '../storage/helpers.js';

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts the binary and waits for its "listening on" line (slow under load: the hook has time). */
function serve(config: string): Promise<Served> {
  const child = spawn(process.execPath, ['bin/segmentloom.js', 'ingest', 'serve', '--config', config, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      text += String(chunk);
      const url = /listening on (\S+)/.exec(text)?.[1];
      if (url) resolve({ child, url, stderr: () => text });
    });
    child.once('exit', (code) => reject(new Error(`ingest serve exited (${code}): ${text}`)));
  });
}

function stop(served: Served | undefined): Promise<void> {
  if (!served || served.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGTERM');
  });
}

describeKafka('segmentloom ingest serve, Kafka mode, through the binary', () => {
  let t: TestDb;
  let reader: TopicReader;
  let writeKey: string;
  let one: Served;
  let two: Served;
  const topic = uniqueName('ingest-cli');
  const kafka = new Kafka({ clientId: 'segmentloom-test', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    requireBuild();
    await createTopics(kafka, [topic], 2);
    t = await openTestDb('postgres', 'ingest_cli');
    ({ writeKey } = await new WriteKeyStore(t.db).create(t.db, { source: 'web', createdBy: null }));
    const config = join(tempDir('sl-ingest-cli-'), 'engine.yaml');
    writeFileSync(
      config,
      `
source: unused
kafka:
  brokers: "${kafkaBrokers()}"
  groupId: ${uniqueName('unused')}
  topics: [${topic}]
storage:
  databaseUrl: "${await postgresUrl()}"
  schema: ${t.schema}
  masterKeys: "1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA="
  lookupKey: "c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE="
ingest:
  topic: ${topic}
  sources: [{ name: web }]
logging: { level: warn }
reload: { enabled: false }
`,
    );
    [one, two] = await Promise.all([serve(config), serve(config)]);
    reader = await new TopicReader(kafka, [topic]).start();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([stop(one), stop(two)]);
    await reader?.stop().catch(() => {});
    await t?.close();
  });

  it('the stock analytics-node client: every event in the input topic once, keyed by userId', async () => {
    const analytics = new Analytics({ writeKey, host: one.url, flushAt: 25, flushInterval: 200, maxRetries: 5 });
    const statuses: number[] = [];
    analytics.on('http_response', (r) => statuses.push(r.status));
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    const n = 100;
    for (let i = 0; i < n; i++) analytics.track({ userId: `cli-user-${i % 9}`, event: 'Order Completed', properties: { order: i } });
    await analytics.closeAndFlush({ timeout: 60_000 });
    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThanOrEqual(n / 25);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const mine = () => reader.json(topic).filter((e) => e.context?.library?.name === '@segment/analytics-node');
    await reader.waitFor(() => mine().length >= n, 60_000, 'every analytics-node event in the topic');
    const events = mine();
    expect(events).toHaveLength(n);
    expect(new Set(events.map((e) => e.properties.order))).toEqual(new Set(Array.from({ length: n }, (_, i) => i)));
    expect(new Set(events.map((e) => e.messageId)).size).toBe(n);
    for (const m of reader.of(topic).filter((m) => String(m.value).includes('@segment/analytics-node'))) expect(String(m.key)).toMatch(/^cli-user-\d$/);
  }, 120_000);

  it('two processes on one store: a messageId sent to both, at once and again, is in the topic once', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `shared-${uniqueName('m')}-${i}`);
    const body = JSON.stringify({ batch: ids.map((messageId, i) => ({ type: 'track', event: 'Shared', userId: `u-${i % 4}`, messageId })) });
    const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
    const answers: Array<{ status: number; code?: string }> = [];
    /** Sends until a 200, as the stock clients do (they retry every 429). */
    async function deliver(url: string): Promise<void> {
      for (let attempt = 0; attempt < 50; attempt++) {
        const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers, body });
        const json = (await res.json()) as { code?: string };
        answers.push({ status: res.status, ...(json.code ? { code: json.code } : {}) });
        if (res.status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no 200 from ${url}: ${JSON.stringify(answers.slice(-3))}`);
    }
    // Each process several times, concurrently: every claim races the other process's.
    await Promise.all([one.url, two.url, one.url, two.url].map(deliver));
    await deliver(two.url);
    await deliver(one.url);
    // Anything but a 200 was the other process holding an id it was producing.
    for (const a of answers.filter((a) => a.status !== 200)) expect(a).toEqual({ status: 429, code: 'in_flight' });

    // Then one marker per key: a key keeps its partition and order, so once the markers are read,
    // so is everything the deliveries above produced on those partitions.
    const markers = [0, 1, 2, 3].map((i) => ({ type: 'track', event: 'Marker', userId: `u-${i}`, messageId: `marker-${uniqueName('m')}-${i}` }));
    const res = await fetch(`${one.url}/v1/batch`, { method: 'POST', headers, body: JSON.stringify({ batch: markers }) });
    expect(res.status).toBe(200);
    const ids2 = new Set(markers.map((m) => m.messageId));
    await reader.waitFor(() => reader.json(topic).filter((e) => ids2.has(e.messageId)).length === markers.length, 60_000, 'the markers');
    const shared = reader.json(topic).filter((e) => ids.includes(e.messageId));
    expect(shared.map((e) => e.messageId).sort()).toEqual([...ids].sort());
  }, 120_000);
});
