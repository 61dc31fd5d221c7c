import { describe, expect, it } from 'vitest';
import { deferred } from '../../src/core/deferred.js';
import type { SourceBatch } from '../../src/events/index.js';
import { Lane, type LaneStages } from '../../src/pipeline/lane.js';

/** A batch of one generation: stale once `generation.current` has moved past it. */
function batchOf(generation: { current: number }, name: string): SourceBatch & { name: string } {
  const born = generation.current;
  return {
    name,
    messages: [],
    commit: async () => {},
    heartbeat: async () => {},
    isStale: () => generation.current !== born,
    redeliver: () => {},
  };
}

/**
 * A batch's stages, logging `deliver NAME` and `commit NAME`. `delivery` fails or holds the send;
 * `counts` holds (or fails) the inventory write its commit waits for.
 */
function stagesOf(name: string, log: string[], hold: { delivery?: Promise<void>; counts?: Promise<void> } = {}): LaneStages {
  return {
    deliver: async () => {
      await hold.delivery;
      log.push(`deliver ${name}`);
    },
    settle: async () => {
      await hold.counts;
      log.push(`commit ${name}`);
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Lane (one partition: send and commit in order)', () => {
  it('abandons the batches queued behind a failed one of the same generation', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const epoch = lane.epoch;
    lane.enqueue(epoch, batchOf(generation, 'first'), stagesOf('first', log, { delivery: Promise.reject(new Error('send failed')) }), () =>
      log.push('failed first'),
    );
    lane.enqueue(epoch, batchOf(generation, 'second'), stagesOf('second', log), () => log.push('failed second'));
    await lane.tail;
    expect(log).toEqual(['failed first']);
    expect(lane.epoch).toBe(epoch + 1);
    expect(lane.recovering).toBe(true);
  });

  it('lets the new generation through when a batch of the old one fails after a rebalance', async () => {
    // The coordinator kill: a batch of the lost generation is still sending when the fresh client
    // rejoins and reads the partition again from the committed offset. Its failure must not
    // abandon the new generation's batch: nothing would rewind for it, and it would be skipped.
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const oldSend = deferred();
    lane.enqueue(lane.epoch, batchOf(generation, 'old'), stagesOf('old', log, { delivery: oldSend.promise }), () => log.push('failed old'));
    await nextTurn(); // its send is out
    generation.current = 2;
    const epoch = lane.epoch;
    lane.enqueue(epoch, batchOf(generation, 'fresh'), stagesOf('fresh', log), () => log.push('failed fresh'));
    oldSend.reject(new Error('send failed'));
    await lane.tail;
    expect(log).toEqual(['failed old', 'deliver fresh', 'commit fresh']);
    expect(lane.epoch).toBe(epoch);
  });

  it('delivers the next batch while the one before it settles, and commits in order', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const firstCounts = deferred(); // the inventory flush its commit waits for
    lane.enqueue(lane.epoch, batchOf(generation, 'first'), stagesOf('first', log, { counts: firstCounts.promise }), () => log.push('failed first'));
    await lane.room();
    lane.enqueue(lane.epoch, batchOf(generation, 'second'), stagesOf('second', log), () => log.push('failed second'));
    // A third waits: one batch settling and one delivered is all a lane holds.
    let roomForThird = false;
    const third = lane.room().then(() => (roomForThird = true));
    await nextTurn();
    expect(log).toEqual(['deliver first', 'deliver second']);
    expect(roomForThird).toBe(false);
    firstCounts.resolve();
    await lane.tail;
    await third;
    expect(log).toEqual(['deliver first', 'deliver second', 'commit first', 'commit second']);
    expect(lane.pending).toBe(0);
  });

  it('still commits a batch settling when the one after it fails to deliver', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const firstCounts = deferred();
    const epoch = lane.epoch;
    lane.enqueue(epoch, batchOf(generation, 'first'), stagesOf('first', log, { counts: firstCounts.promise }), () => log.push('failed first'));
    lane.enqueue(epoch, batchOf(generation, 'second'), stagesOf('second', log, { delivery: Promise.reject(new Error('send failed')) }), () =>
      log.push('failed second'),
    );
    // Processed before the failure, enqueued after it: abandoned with everything behind the failed one.
    lane.enqueue(epoch, batchOf(generation, 'third'), stagesOf('third', log), () => log.push('failed third'));
    await nextTurn();
    firstCounts.resolve();
    await lane.tail;
    // The first commits, then the rewind to the failed one: nothing before it is lost.
    expect(log).toEqual(['deliver first', 'commit first', 'failed second']);
    expect(lane.epoch).toBe(epoch + 1);
    expect(lane.recovering).toBe(true);
  });

  it('rewinds to the earlier batch when it fails to settle after a later one failed to deliver', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const firstCounts = deferred();
    const epoch = lane.epoch;
    lane.enqueue(epoch, batchOf(generation, 'first'), stagesOf('first', log, { counts: firstCounts.promise }), () => log.push('failed first'));
    lane.enqueue(epoch, batchOf(generation, 'second'), stagesOf('second', log, { delivery: Promise.reject(new Error('send failed')) }), () =>
      log.push('failed second'),
    );
    await nextTurn();
    firstCounts.reject(new Error('inventory flush failed'));
    await lane.tail;
    // One rewind, to the first: the second's waited for it, and reading again from the first covers both.
    expect(log).toEqual(['deliver first', 'failed first']);
    expect(lane.epoch).toBe(epoch + 2);
  });

  it('abandons a batch processed before many failures, however many (only the last ones are kept)', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    const processedLongAgo = lane.epoch;
    for (let i = 0; i < 20; i++) {
      lane.enqueue(lane.epoch, batchOf(generation, `f${i}`), stagesOf(`f${i}`, log, { delivery: Promise.reject(new Error('send failed')) }), () => {});
      await lane.tail;
    }
    expect(lane.epoch).toBe(processedLongAgo + 20);
    lane.enqueue(processedLongAgo, batchOf(generation, 'late'), stagesOf('late', log), () => log.push('failed late'));
    lane.enqueue(lane.epoch, batchOf(generation, 'current'), stagesOf('current', log), () => log.push('failed current'));
    await lane.tail;
    expect(log).toEqual(['deliver current', 'commit current']);
  });
});
