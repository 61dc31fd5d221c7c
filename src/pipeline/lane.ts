import type { SourceBatch } from '../events/index.js';

/**
 * How many processed batches of one partition may be in delivery (sent, and stored when the engine
 * keeps state) at once. One is enough to overlap processing (this thread or a worker) with the
 * broker round trips; more would only hold more memory.
 */
export const LANE_DEPTH = 1;

/** Waits after a failed send before the partition's redelivered batch is processed again. */
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 15_000;
/** While waiting, group membership is kept alive (and a stop noticed) at this interval. */
const HEARTBEAT_MS = 250;
/** Failures remembered per lane (see Lane.cuts). */
const CUTS = 16;

/**
 * A batch's way through its lane in two stages. `deliver` sends it (and stores it); `settle`
 * writes what must be durable before its offsets are (the inventory's counts), then commits. The
 * next batch's delivery overlaps this one's settling: a commit waits for a shared inventory flush,
 * and with one stage the partition stood still during it.
 */
export interface LaneStages {
  deliver: () => Promise<void>;
  settle?: () => Promise<void>;
}

/**
 * One partition's queue of processed batches: each is delivered and settled (committed) strictly
 * after the one before it (per-key order, and a commit never passes an undelivered batch). When
 * one fails, the epoch moves on: every batch queued, delivering or in processing behind it is
 * abandoned uncommitted, and the source re-reads the partition from the failed batch after a
 * growing pause. A failed batch of a generation already gone (a rebalance or failover meanwhile)
 * moves nothing.
 */
export class Lane {
  /** Settles once every batch enqueued so far is committed, abandoned or failed. */
  tail: Promise<void> = Promise.resolve();
  /** Batches enqueued and not settled yet. */
  pending = 0;
  epoch = 0;
  /** Settles once every batch enqueued so far is delivered (or abandoned, or failed). */
  private delivered: Promise<void> = Promise.resolve();
  private delivering = 0;
  /** Each unsettled batch's settling, oldest first. */
  private readonly settling: Promise<void>[] = [];
  /**
   * Enqueued batches are numbered in order; `cuts[e % CUTS]` is the number of the batch whose
   * failure ended epoch e. Only the last CUTS epochs are kept: a batch is in flight across one or
   * two failures at most (after one, the batches behind it are abandoned, not delivered).
   */
  private nextSeq = 0;
  private readonly cuts = new Float64Array(CUTS);
  private failures = 0;
  private retryAt = 0;

  /** Whether the partition's last batch failed and none has gone through since. */
  get recovering(): boolean {
    return this.failures > 0;
  }

  /** Resolves when another batch may be enqueued: none delivering, at most one settling. */
  async room(): Promise<void> {
    while (this.delivering >= LANE_DEPTH || this.settling.length > LANE_DEPTH) {
      await (this.delivering >= LANE_DEPTH ? this.delivered : this.settling[0]);
    }
  }

  enqueue(epoch: number, batch: SourceBatch, { deliver, settle }: LaneStages, onFailure: (err: unknown) => void): void {
    const seq = this.nextSeq++;
    this.pending++;
    this.delivering++;
    // A failed delivery stops the batches behind it at once, but its rewind waits for the batch
    // before it to settle: should that one fail too, the partition is read again from there.
    let failedDelivery: { err: unknown; cut: number | null } | null = null;
    const delivery = this.delivered.then(async () => {
      try {
        // Abandoned: an earlier batch failed (it and everything after it are read again).
        if (this.abandoned(epoch, seq, batch)) return false;
        await deliver();
        return true;
      } catch (err) {
        if (!this.superseded(epoch, seq)) failedDelivery = { err, cut: this.cut(seq, batch) };
        return false;
      } finally {
        this.delivering--;
      }
    });
    this.delivered = delivery.then(() => undefined);
    const previous = this.tail;
    const settled = (async () => {
      try {
        const ok = await delivery;
        await previous;
        if (failedDelivery !== null) {
          const { err, cut } = failedDelivery;
          // Unless the batch before it failed to settle meanwhile (its rewind covers this one).
          if (cut === null || !this.superseded(cut + 1, seq)) onFailure(err);
          return;
        }
        if (!ok || this.abandoned(epoch, seq, batch)) return;
        await settle?.();
        // Only a batch from after the last failure shows the partition is through it.
        if (this.epoch === 0 || seq > this.cuts[(this.epoch - 1) % CUTS]!) this.failures = 0;
      } catch (err) {
        if (this.superseded(epoch, seq)) return;
        this.cut(seq, batch);
        onFailure(err);
      } finally {
        this.pending--;
        this.settling.shift();
      }
    })();
    this.settling.push(settled);
    this.tail = settled;
  }

  private abandoned(epoch: number, seq: number, batch: SourceBatch): boolean {
    return batch.isStale() || this.superseded(epoch, seq);
  }

  /**
   * Whether a failure since `epoch` began was of this batch or one before it: the partition is
   * read again from there. A batch ahead of the failed one (it was settling while the failed one
   * was delivered) is not: it still settles, and its commit is where the re-reading starts.
   */
  private superseded(epoch: number, seq: number): boolean {
    // Older than the cuts kept: abandoned, the safe side (it is read again).
    if (this.epoch - epoch > CUTS) return true;
    for (let e = epoch; e < this.epoch; e++) if (this.cuts[e % CUTS]! <= seq) return true;
    return false;
  }

  /**
   * Ends the epoch at batch `seq`: it and every batch behind it are abandoned; returns the epoch
   * ended. A stale batch (its generation is gone) moves no epoch: the batches behind it belong to
   * the new generation, read from the committed offsets, and nothing rewinds for them. Were they
   * abandoned, the partition would read on past them (issue 17: the coordinator kill).
   */
  private cut(seq: number, batch: SourceBatch): number | null {
    if (batch.isStale()) return null;
    this.cuts[this.epoch % CUTS] = seq;
    this.failures++;
    this.retryAt = Date.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
    return this.epoch++;
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
