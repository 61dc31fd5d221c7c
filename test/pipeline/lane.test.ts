import { describe, expect, it } from 'vitest';
import type { SourceBatch } from '../../src/events/index.js';
import { Lane } from '../../src/pipeline/lane.js';

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

describe('Lane (one partition: send and commit in order)', () => {
  it('abandons the batches queued behind a failed one of the same generation', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const finished: string[] = [];
    const failed: string[] = [];
    const first = batchOf(generation, 'first');
    const second = batchOf(generation, 'second');
    const epoch = lane.epoch;
    lane.enqueue(
      epoch,
      first,
      async () => Promise.reject(new Error('send failed')),
      () => failed.push('first'),
    );
    lane.enqueue(
      epoch,
      second,
      async () => void finished.push('second'),
      () => failed.push('second'),
    );
    await lane.tail;
    expect(failed).toEqual(['first']);
    expect(finished).toEqual([]);
    expect(lane.epoch).toBe(epoch + 1);
    expect(lane.recovering).toBe(true);
  });

  it('lets the new generation through when a batch of the old one fails after a rebalance', async () => {
    // The coordinator kill: a batch of the lost generation is still sending when the fresh client
    // rejoins and reads the partition again from the committed offset. Its failure must not
    // abandon the new generation's batch: nothing would rewind for it, and it would be skipped.
    const generation = { current: 1 };
    const lane = new Lane();
    const finished: string[] = [];
    const failed: string[] = [];
    let failOld!: (err: Error) => void;
    const oldSend = new Promise<void>((_, reject) => (failOld = reject));
    const old = batchOf(generation, 'old');
    lane.enqueue(
      lane.epoch,
      old,
      () => oldSend,
      () => failed.push('old'),
    );
    await new Promise((resolve) => setImmediate(resolve)); // its send is out
    generation.current = 2;
    const fresh = batchOf(generation, 'fresh');
    const epoch = lane.epoch;
    lane.enqueue(
      epoch,
      fresh,
      async () => void finished.push('fresh'),
      () => failed.push('fresh'),
    );
    failOld(new Error('send failed'));
    await lane.tail;
    expect(finished).toEqual(['fresh']);
    expect(lane.epoch).toBe(epoch);
    expect(failed).toEqual(['old']);
  });

  it('delivers the next batch while the one before it settles, and commits in order', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const firstCounted = new Promise<void>((resolve) => (releaseFirst = resolve));
    lane.enqueue(
      lane.epoch,
      batchOf(generation, 'first'),
      {
        deliver: async () => void log.push('deliver first'),
        settle: async () => {
          await firstCounted; // the inventory flush it waits for
          log.push('commit first');
        },
      },
      () => log.push('failed first'),
    );
    await lane.room();
    lane.enqueue(
      lane.epoch,
      batchOf(generation, 'second'),
      {
        deliver: async () => void log.push('deliver second'),
        settle: async () => void log.push('commit second'),
      },
      () => log.push('failed second'),
    );
    // A third waits: one batch settling and one delivered is all a lane holds.
    let roomForThird = false;
    const third = lane.room().then(() => (roomForThird = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['deliver first', 'deliver second']);
    expect(roomForThird).toBe(false);
    releaseFirst();
    await lane.tail;
    await third;
    expect(log).toEqual(['deliver first', 'deliver second', 'commit first', 'commit second']);
    expect(lane.pending).toBe(0);
  });

  it('still commits a batch settling when the one after it fails to deliver', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const firstCounted = new Promise<void>((resolve) => (releaseFirst = resolve));
    const epoch = lane.epoch;
    lane.enqueue(
      epoch,
      batchOf(generation, 'first'),
      {
        deliver: async () => {},
        settle: async () => {
          await firstCounted;
          log.push('commit first');
        },
      },
      () => log.push('failed first'),
    );
    lane.enqueue(
      epoch,
      batchOf(generation, 'second'),
      {
        deliver: async () => Promise.reject(new Error('send failed')),
        settle: async () => void log.push('commit second'),
      },
      () => log.push('failed second'),
    );
    // Processed before the failure, enqueued after it: abandoned with everything behind the failed one.
    lane.enqueue(
      epoch,
      batchOf(generation, 'third'),
      {
        deliver: async () => void log.push('deliver third'),
        settle: async () => void log.push('commit third'),
      },
      () => log.push('failed third'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await lane.tail;
    // The first commits, then the rewind to the failed one: nothing before it is lost.
    expect(log).toEqual(['commit first', 'failed second']);
    expect(lane.epoch).toBe(epoch + 1);
    expect(lane.recovering).toBe(true);
  });

  it('rewinds to the earlier batch when it fails to settle after a later one failed to deliver', async () => {
    const generation = { current: 1 };
    const lane = new Lane();
    const failed: string[] = [];
    let failFirst!: (err: Error) => void;
    const firstCounted = new Promise<void>((_, reject) => (failFirst = reject));
    const epoch = lane.epoch;
    lane.enqueue(epoch, batchOf(generation, 'first'), { deliver: async () => {}, settle: () => firstCounted }, () => failed.push('first'));
    lane.enqueue(epoch, batchOf(generation, 'second'), { deliver: async () => Promise.reject(new Error('send failed')) }, () => failed.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    failFirst(new Error('inventory flush failed'));
    await lane.tail;
    // One rewind, to the first: the second's waited for it, and reading again from the first covers both.
    expect(failed).toEqual(['first']);
    expect(lane.epoch).toBe(epoch + 2);
  });
});
