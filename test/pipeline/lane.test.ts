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
});
