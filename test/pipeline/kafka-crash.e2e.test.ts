// Crash safety of the real CLI process: SIGKILL mid-stream, restart, and every input reaches every
// destination it should at least once; then SIGTERM finishes, commits and exits 0.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeKafka } from '../helpers/kafka.js';
import { EngineProcesses, kafkaEngineHead, policyTopics } from './engine-harness.js';
import { policyYaml, sampleEvent, tempDir } from './helpers.js';
import { createTopics, groupProgress, produce, testKafka, TopicReader, uniqueName, waitUntil } from './kafka-helpers.js';

describeKafka('engine process crash and restart', () => {
  const kafka = testKafka();
  const engines = new EngineProcesses();
  let reader: TopicReader | null = null;
  let inputReader: TopicReader | null = null;
  afterAll(async () => {
    engines.killAll();
    await reader?.stop();
    await inputReader?.stop();
  });

  async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    } finally {
      await admin.disconnect();
    }
  }

  it('loses nothing across SIGKILL and shuts down gracefully on SIGTERM', async () => {
    const t = policyTopics('crash');
    await createTopics(kafka, Object.values(t), 3);
    const groupId = uniqueName('crash-group');
    const dir = tempDir();
    const config = join(dir, 'engine.yaml');
    writeFileSync(
      config,
      `${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq })}suppression: { userIds: [suppressed] }
# Small batches: many commits, so the kill lands between some and inside others.
batch: { maxBytesPerPartition: 16384, maxWaitMs: 20 }
logging: { level: info }
reload: { enabled: false }
${policyYaml(t)}`,
    );

    const N = 6000;
    const expected = { warehouse: new Set<string>(), analytics: new Set<string>(), ads: new Set<string>() };
    const inputs = Array.from({ length: N }, (_, i) => {
      const advertising = i % 3 !== 0;
      const analytics = i % 4 !== 0;
      const suppressed = i % 50 === 7;
      const id = `e-${i}`;
      if (!suppressed) {
        expected.warehouse.add(id);
        if (analytics) expected.analytics.add(id);
        if (advertising) expected.ads.add(id);
      }
      const event = sampleEvent({
        messageId: id,
        userId: suppressed ? 'suppressed' : `u-${i % 97}`,
        context: { consent: { categoryPreferences: { Advertising: advertising, Analytics: analytics } } },
      });
      return { key: `u-${i % 97}`, value: JSON.stringify(event) };
    });
    const bad = Array.from({ length: 20 }, (_, i) => ({ key: `bad-${i}`, value: `{"type":"track","event":"broken-${i}"` }));
    await produce(kafka, t.input, [...inputs.slice(0, 3000), ...bad, ...inputs.slice(3000)]);

    reader = await new TopicReader(kafka, [t.warehouse, t.analytics, t.ads, t.dlq]).start();
    inputReader = await new TopicReader(kafka, [t.input]).start();
    await inputReader.waitFor(() => inputReader!.of(t.input).length === N + bad.length, 60_000, 'input read back');
    const ids = (topic: string) => new Set(reader!.json(topic).map((e) => e.messageId as string));

    const first = engines.run(config, { SEGMENTLOOM_HASH_KEY: '' });
    await reader.waitFor(() => reader!.of(t.warehouse).length >= 300, 90_000, 'first outputs');
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = ids(t.warehouse).size;

    // Graceful stop mid-stream: SIGTERM → the batch in flight finishes and commits → exit 0. Every
    // input below a committed offset must already be at its destinations (commit follows acks).
    const second = engines.run(config, { SEGMENTLOOM_HASH_KEY: '' });
    // Running first: outputs of the killed engine the reader had not caught up with at atKill can
    // satisfy the progress below on their own, and a SIGTERM while the CLI still loads its modules
    // (before it arms its stop listener) takes Node's default action, as for the third engine.
    await waitUntil(async () => second.log().includes('engine running'), 90_000, 'second engine running');
    const atRestart = ids(t.warehouse).size;
    await reader.waitFor(
      () => ids(t.warehouse).size >= Math.min(expected.warehouse.size, Math.max(atKill, atRestart) + 1500),
      90_000,
      'progress after restart',
    );
    second.child.kill('SIGTERM');
    const stopped = await second.exited;
    expect(stopped, second.log().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(second.log()).toContain('stopping: finishing the batch in flight');
    expect(second.log()).not.toMatch(/ada@example\.com|4111111111111111|hunter2/);
    const committed = await committedOffsets(groupId, t.input);
    const delivered = ids(t.warehouse);
    const input = inputReader.of(t.input);
    let belowCommit = 0;
    for (const m of input) {
      if (Number(m.offset) >= (committed.get(m.partition) ?? 0)) continue;
      belowCommit++;
      if (String(m.key).startsWith('bad-')) continue;
      const event = JSON.parse(String(m.value)) as { messageId?: string };
      if (event.messageId !== undefined && expected.warehouse.has(event.messageId)) expect(delivered.has(event.messageId)).toBe(true);
    }
    expect(belowCommit).toBeGreaterThan(0);

    const third = engines.run(config, { SEGMENTLOOM_HASH_KEY: '' });
    await reader.waitFor(
      () =>
        ids(t.warehouse).size === expected.warehouse.size &&
        ids(t.analytics).size === expected.analytics.size &&
        ids(t.ads).size === expected.ads.size &&
        new Set(reader!.of(t.dlq).map((m) => String(m.key))).size === bad.length,
      120_000,
      'every input at every destination',
    );
    // Exactly the expected events, nothing routed where it must not go.
    expect(ids(t.warehouse)).toEqual(expected.warehouse);
    expect(ids(t.analytics)).toEqual(expected.analytics);
    expect(ids(t.ads)).toEqual(expected.ads);
    for (const event of reader.json(t.ads)) expect(event.properties).not.toHaveProperty('password');
    // The kill landed mid-stream (otherwise this test proves less than it claims).
    expect(atKill).toBeLessThan(expected.warehouse.size);

    await waitUntil(
      async () => {
        const progress = await groupProgress(kafka, groupId, t.input);
        return progress.committed === progress.end;
      },
      30_000,
      'all offsets committed',
    );
    // The first two runs may already have delivered and committed everything, so the third can get
    // here while it is still loading: a signal before the CLI arms its stop listener takes Node's
    // default action. A supervisor's stop is only promised clean once the engine is running.
    await waitUntil(async () => third.log().includes('engine running'), 60_000, 'third engine running');
    third.child.kill('SIGTERM');
    const last = await third.exited;
    expect(last, third.log().slice(-2000)).toEqual({ code: 0, signal: null });
    const progress = await groupProgress(kafka, groupId, t.input);
    expect(progress.committed).toBe(N + bad.length);
  }, 240_000);
});
