import type { SourceBatch } from '../events/index.js';

/**
 * How many processed batches of one partition may wait behind the one being sent. One is enough
 * to overlap processing (this thread or a worker) with the broker round trips of producing and
 * committing; more would only hold more memory.
 */
export const LANE_DEPTH = 1;

/** Waits after a failed send before the partition's redelivered batch is processed again. */
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 15_000;
/** While waiting, group membership is kept alive (and a stop noticed) at this interval. */
const HEARTBEAT_MS = 250;

/**
 * One partition's queue of processed batches: each is sent and committed strictly after the one
 * before it (per-key order, and a commit never passes an unsent batch). When one fails, the epoch
 * moves on: every batch queued or in processing behind it is abandoned uncommitted, and the
 * source re-reads the partition from the failed batch after a growing pause. A failed batch of a
 * generation already gone (a rebalance or failover meanwhile) moves nothing.
 */
export class Lane {
  tail: Promise<void> = Promise.resolve();
  pending = 0;
  epoch = 0;
  private failures = 0;
  private retryAt = 0;

  /** Whether the partition's last batch failed and none has gone through since. */
  get recovering(): boolean {
    return this.failures > 0;
  }

  enqueue(epoch: number, batch: SourceBatch, finish: () => Promise<void>, onFailure: (err: unknown) => void): void {
    this.pending++;
    this.tail = this.tail.then(async () => {
      try {
        // Abandoned: an earlier batch failed (it and everything after it are read again).
        if (epoch !== this.epoch || batch.isStale()) return;
        await finish();
        this.failures = 0;
      } catch (err) {
        // A stale batch (its generation is gone) moves no epoch: the batches behind it belong to
        // the new generation, read from the committed offsets, and nothing rewinds for them. Were
        // they abandoned, the partition would read on past them (issue 17: the coordinator kill).
        if (epoch !== this.epoch) return;
        if (!batch.isStale()) {
          this.epoch++;
          this.failures++;
          this.retryAt = Date.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
        }
        onFailure(err);
      } finally {
        this.pending--;
      }
    });
  }

  /** After a failure, holds the partition's next batch until the backoff has passed (or `cancelled()`). */
  async backoff(batch: SourceBatch, cancelled: () => boolean): Promise<void> {
    for (let wait = this.retryAt - Date.now(); wait > 0; wait = this.retryAt - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, HEARTBEAT_MS)));
      if (batch.isStale() || cancelled()) return;
      await batch.heartbeat();
    }
  }
}
