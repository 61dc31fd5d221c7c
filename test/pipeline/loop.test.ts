import { describe, expect, it } from 'vitest';
import { deferred } from '../../src/core/deferred.js';
import { silentLogger } from '../../src/core/logger.js';
import { ControlsRef } from '../../src/pipeline/controls.js';
import { deadLetterOf, DLQ_HEADER, TRUNCATED_HEADER } from '../../src/events/dead-letter.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { type BatchPersistence, Pipeline } from '../../src/pipeline/loop.js';
import { RunTotals } from '../../src/pipeline/report.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { expectedHash, memoryBatch, MemorySink, MemorySource, message, policyYaml, sampleEvent, writeConfig } from './helpers.js';

const TOPICS = { warehouse: 'wh', analytics: 'an', ads: 'ads' };

async function setup(extra = '', maxMessagesPerRequest?: number, maxRecordBytes?: number, persistence?: BatchPersistence) {
  const { config } = await writeConfig(
    `${policyYaml(TOPICS)}\nsuppression: { userIds: [banned-user], anonymousIds: [banned-anon] }\nlimits: { maxDepth: 8, maxLeaves: 50, maxBytes: 4096 }\n${extra}`,
  );
  const ref = new ControlsRef((await buildControls(config)).controls);
  const sink = new MemorySink();
  const totals = new RunTotals();
  const source = new MemorySource();
  const pipeline = new Pipeline({
    source,
    sink,
    decoder: jsonDecoder,
    controls: ref,
    sourceName: () => 'test',
    observers: [totals],
    logger: silentLogger(),
    maxMessagesPerRequest,
    maxRecordBytes,
    persistence,
  });
  return { config, ref, sink, totals, pipeline, source };
}

describe('Pipeline', () => {
  it('blocks, hashes and routes per destination, then commits', async () => {
    const { sink, pipeline, totals } = await setup();
    const batch = memoryBatch([message(sampleEvent())]);
    await pipeline.handleBatch(batch);
    expect(batch.committed).toBe(true);

    const [warehouse] = sink.json('wh');
    expect(warehouse!.properties.email).toBe('ada@example.com');
    expect(warehouse!.properties).not.toHaveProperty('password');
    expect(warehouse!.properties.payment.card).not.toHaveProperty('number');

    const [ads] = sink.json('ads');
    expect(ads!.properties.email).toBe(expectedHash('ada@example.com'));
    expect(ads!.properties.phone).toBe(expectedHash('+1 415 555 0100'));
    expect(ads!.properties).not.toHaveProperty('password');

    // Allow-list routing: only green values reach analytics.
    const [analytics] = sink.json('an');
    expect(analytics!.properties).not.toHaveProperty('email');
    expect(analytics!.properties.total).toBe(42);
    expect(analytics!.context).not.toHaveProperty('ip');

    expect(totals.totals.eventsIn).toBe(1);
    expect(Object.fromEntries(totals.totals.out)).toEqual({ warehouse: 1, analytics: 1, ads: 1 });
    expect(totals.totals.detections.get('red')).toBeGreaterThanOrEqual(2);
    // Each count under the policy (or allow-list) that caused it.
    expect(totals.totals.actions.get('hash-contact-for-ads')?.get('hash')).toBe(2);
    expect(totals.totals.actions.get('block-secrets')?.get('block')).toBeGreaterThanOrEqual(2);
    expect(totals.totals.actions.get('destinations.analytics.allow')?.get('remove')).toBeGreaterThan(0);
    expect(totals.totals.actions.has('*')).toBe(false);
  });

  it('gates destinations on consent and do-not-sell', async () => {
    const { sink, pipeline, totals } = await setup();
    const noAds = sampleEvent({ messageId: 'no-ads', context: { consent: { categoryPreferences: { Advertising: false, Analytics: true } } } });
    const gpc = sampleEvent({ messageId: 'gpc', context: { gpc: true, consent: { categoryPreferences: { Advertising: true, Analytics: false } } } });
    await pipeline.handleBatch(memoryBatch([message(noAds), message(gpc)]));
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['no-ads', 'gpc']);
    expect(sink.json('an').map((e) => e.messageId)).toEqual(['no-ads']);
    expect(sink.json('ads')).toEqual([]);
    expect(Object.fromEntries(totals.totals.skipped.get('ads')!)).toEqual({ consent: 1, do_not_sell: 1 });
  });

  it('drops suppressed subjects and policy-dropped events', async () => {
    const { sink, pipeline, totals } = await setup();
    const batch = memoryBatch([
      message(sampleEvent({ userId: 'banned-user' })),
      message(sampleEvent({ userId: 'someone', anonymousId: 'banned-anon' })),
      message(sampleEvent({ properties: { internal_test: true } })),
      message(sampleEvent({ messageId: 'kept' })),
    ]);
    await pipeline.handleBatch(batch);
    expect(batch.committed).toBe(true);
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['kept']);
    expect(Object.fromEntries(totals.totals.dropped)).toEqual({ suppressed: 2, policy: 1 });
    expect(Object.fromEntries(totals.totals.droppedByPolicy)).toEqual({ 'drop-internal': 1 });
  });

  it('dead-letters bad input with original bytes, key, headers and reason headers', async () => {
    const { sink, pipeline, totals } = await setup();
    const deep = { type: 'track', event: 'x', properties: JSON.parse(`${'{"a":'.repeat(12)}1${'}'.repeat(12)}`) };
    const wide = { type: 'track', event: 'x', properties: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])) };
    const inputs = [
      message('{"type":"track","event":"x","properties":{"email":"leak@example.com"', { key: Buffer.from('k1'), headers: { trace: 'abc' }, offset: '10' }),
      message('[1,2]', { offset: '11' }),
      message({ event: 'no type' }, { offset: '12' }),
      message(deep, { offset: '13' }),
      message(wide, { offset: '14' }),
      message(`{"type":"track","event":"big","properties":{"pad":"${'x'.repeat(5000)}"}}`, { offset: '15' }),
      message(null, { offset: '16', key: Buffer.from('tombstone') }),
      message(Buffer.from([0xff, 0xfe, 0x00, 0x01]), { offset: '17' }),
      message(sampleEvent(), { offset: '18' }),
    ];
    const batch = memoryBatch(inputs);
    await pipeline.handleBatch(batch);
    expect(batch.committed).toBe(true);
    const dlq = sink.sent.get('segmentloom.dead-letter')!;
    expect(dlq.map((m) => m.headers![DLQ_HEADER.code])).toEqual([
      'malformed_json',
      'not_an_object',
      'invalid_event',
      'too_deep',
      'too_many_leaves',
      'oversized',
      'empty',
      'malformed_json',
    ]);
    const first = dlq[0]!;
    expect(first.value).toEqual(inputs[0]!.value);
    expect(first.key).toEqual(Buffer.from('k1'));
    expect(first.headers).toMatchObject({
      trace: 'abc',
      [DLQ_HEADER.sourceTopic]: 'in',
      [DLQ_HEADER.partition]: '0',
      [DLQ_HEADER.offset]: '10',
    });
    // Reasons are safe: no fragment of the input.
    for (const m of dlq) expect(String(m.headers![DLQ_HEADER.reason])).not.toMatch(/leak|example|xxxx/);
    expect(dlq[6]!.value).toBeNull();
    expect(dlq[7]!.value).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    expect(sink.json('wh')).toHaveLength(1);
    expect([...totals.totals.deadLettered.values()].reduce((a, b) => a + b)).toBe(8);
  });

  it('keeps keys and headers on outputs', async () => {
    const { sink, pipeline } = await setup();
    await pipeline.handleBatch(
      memoryBatch([message(sampleEvent(), { key: Buffer.from('user-1'), headers: { 'x-trace': Buffer.from('t1'), dup: ['a', 'b'] } })]),
    );
    for (const target of ['wh', 'an', 'ads']) {
      const [out] = sink.sent.get(target)!;
      expect(out!.key).toEqual(Buffer.from('user-1'));
      expect(out!.headers).toEqual({ 'x-trace': Buffer.from('t1'), dup: ['a', 'b'] });
    }
  });

  it('does not commit when a send fails, and commits nothing of a stale batch', async () => {
    const { sink, pipeline } = await setup();
    sink.fail = new Error('broker unavailable');
    const failing = memoryBatch([message(sampleEvent())]);
    await expect(pipeline.handleBatch(failing)).rejects.toThrow('broker unavailable');
    expect(failing.committed).toBe(false);

    sink.fail = null;
    const stale = memoryBatch([message(sampleEvent())]);
    stale.stale = true;
    await pipeline.handleBatch(stale);
    expect(stale.committed).toBe(false);
    expect(sink.sent.size).toBe(0);
  });

  it('splits large outputs into requests of bounded size, in order', async () => {
    const { sink, pipeline } = await setup('', 3);
    const inputs = Array.from({ length: 7 }, (_, i) => message(sampleEvent({ messageId: `m${i}` })));
    await pipeline.handleBatch(memoryBatch(inputs));
    expect(sink.log.filter((l) => l.startsWith('send wh'))).toEqual(['send wh 3', 'send wh 3', 'send wh 1']);
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('dead-letters an event whose output is over the record limit, instead of a send refused on every redelivery', async () => {
    const { sink, pipeline, totals } = await setup('', undefined, 2_000);
    const big = message(sampleEvent({ messageId: 'big', properties: { blob: 'x'.repeat(2_500) } }));
    const batch = memoryBatch([big, message(sampleEvent({ messageId: 'small' }))]);
    await pipeline.handleBatch(batch);
    expect(batch.committed).toBe(true);
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['small']);
    const [dead] = sink.sent.get('segmentloom.dead-letter')!;
    expect(dead!.headers![DLQ_HEADER.code]).toBe('output_too_large');
    expect(dead!.value).toEqual(big.value);
    expect(Object.fromEntries(totals.totals.out)).toEqual({ warehouse: 1, analytics: 1, ads: 1 });
    expect(totals.totals.deadLettered.get('output_too_large')).toBe(1);
  });

  it('cuts a dead-letter record to the size it may have, saying how long the original was', () => {
    const input = message('x'.repeat(5_000));
    const dead = deadLetterOf(input, { code: 'oversized', reason: 'too big' }, 1_000);
    expect(dead.value).toEqual(input.value!.subarray(0, 1_000));
    expect(dead.headers![TRUNCATED_HEADER]).toBe('5000');
    expect(deadLetterOf(input, { code: 'oversized', reason: 'too big' }).value).toEqual(input.value);
  });

  it('uses the controls in force at the start of a batch (swap between batches)', async () => {
    const { config, ref, sink, pipeline } = await setup();
    const next = structuredClone(config);
    next.policy.destinations = [{ name: 'only', topic: 'only-topic', allow: undefined, consent: undefined }];
    next.policy.policies = [];
    ref.swap((await buildControls(next)).controls);
    await pipeline.handleBatch(memoryBatch([message(sampleEvent())]));
    expect([...sink.sent.keys()]).toEqual(['only-topic']);
    expect(sink.json('only-topic')[0]!.properties.password).toBe('hunter2-secret');
  });
});

describe('Pipeline with a pipelining source (Kafka)', () => {
  const batchOf = (name: string, log: string[], partition = 0) =>
    memoryBatch([message(sampleEvent({ messageId: name }))], { pipelined: true, name, log, partition });

  it('takes the next batch while the previous one is sent, and commits a partition in order', async () => {
    const { sink, pipeline } = await setup();
    const log: string[] = [];
    sink.hold();
    const first = batchOf('b1', log);
    // Returns once processed and queued: the send is still held.
    await pipeline.handleBatch(first);
    expect(first.committed).toBe(false);
    // The partition's next batch is processed meanwhile, and queued once the first has gone out.
    const second = batchOf('b2', log);
    const handled = pipeline.handleBatch(second);
    sink.release();
    await handled;
    await pipeline.drain();
    expect(log).toEqual(['commit b1', 'commit b2']);
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['b1', 'b2']);
  });

  it("sends the partition's next batch while the one before it waits for its inventory counts, and commits in order", async () => {
    const log: string[] = [];
    const firstCounts = deferred();
    let records = 0;
    const persistence: BatchPersistence = {
      persist: async (messages) => messages.length,
      // The first batch's counts wait for a (slow) shared flush; the second's are written at once.
      record: async () => {
        if (records++ === 0) await firstCounts.promise;
        log.push('counts written');
      },
    };
    const { sink, pipeline } = await setup('', undefined, undefined, persistence);
    const first = batchOf('b1', log);
    await pipeline.handleBatch(first);
    const second = batchOf('b2', log);
    await pipeline.handleBatch(second);
    // Sent while b1 still waits for its counts; neither is committed before b1's counts are written.
    await expect.poll(() => sink.json('wh').map((e) => e.messageId)).toEqual(['b1', 'b2']);
    expect(first.committed).toBe(false);
    expect(second.committed).toBe(false);
    firstCounts.resolve();
    await pipeline.drain();
    expect(log).toEqual(['counts written', 'commit b1', 'counts written', 'commit b2']);
  });

  it('keeps partitions independent: a held partition does not hold the others back', async () => {
    const { sink, pipeline } = await setup();
    const log: string[] = [];
    sink.hold();
    await pipeline.handleBatch(batchOf('p0', log, 0));
    await pipeline.handleBatch(batchOf('p1', log, 1));
    sink.release();
    await pipeline.drain();
    expect(log.sort()).toEqual(['commit p0', 'commit p1']);
  });

  it('on a failed send rewinds the partition to that batch and abandons the batches behind it, uncommitted', async () => {
    const { sink, pipeline, totals } = await setup();
    const log: string[] = [];
    sink.fail = new Error('broker unavailable');
    const failing = batchOf('b1', log);
    const behind = batchOf('b2', log);
    // Both were delivered before the send failed.
    await Promise.all([pipeline.handleBatch(failing), pipeline.handleBatch(behind)]);
    await pipeline.drain();
    expect(log).toEqual(['redeliver b1']);
    expect(failing.committed).toBe(false);
    expect(behind.committed).toBe(false);
    expect(totals.redeliveries).toBe(1);
    expect(totals.totals.eventsIn).toBe(0);

    // The partition is read again from b1: once the destination is back, it goes through.
    sink.fail = null;
    const again = batchOf('b1-again', log);
    await pipeline.handleBatch(again);
    await pipeline.drain();
    expect(again.committed).toBe(true);
    expect(sink.json('wh').map((e) => e.messageId)).toEqual(['b1-again']);
  });

  it('a stop during the pause after a failure leaves the waiting batch uncommitted', async () => {
    const { sink, pipeline } = await setup();
    const log: string[] = [];
    sink.fail = new Error('broker unavailable');
    await pipeline.handleBatch(batchOf('b1', log));
    await pipeline.drain();
    sink.fail = null;
    const waiting = batchOf('b1-again', log);
    const handled = pipeline.handleBatch(waiting);
    await pipeline.stop();
    await handled;
    expect(waiting.committed).toBe(false);
    expect(sink.sent.size).toBe(0);
    expect(log).toEqual(['redeliver b1']);
  });

  it('stop() pauses the source, sends and commits what is queued, then stops the source', async () => {
    const { sink, pipeline, source } = await setup();
    const log: string[] = [];
    sink.hold();
    const queued = batchOf('b1', log);
    await pipeline.handleBatch(queued);
    const stopped = pipeline.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.log).toEqual(['pause']);
    sink.release();
    await stopped;
    expect(queued.committed).toBe(true);
    expect(source.log).toEqual(['pause', 'stop']);
    expect(sink.closed).toBe(true);
  });
});
