import { type Deferred, deferred } from '../core/deferred.js';
import { riskOf } from '../detect/index.js';
import type { Db, StorageLogger } from '../storage/db.js';
import { silentLogger } from '../core/logger.js';
import { safeErrorLabel } from '../storage/sql.js';
import { isDataException } from '../storage/text.js';
import { OVERFLOW_EVENT, OVERFLOW_PATH } from './aggregate.js';
import { upsertObservations } from './store.js';
import { mergeObservation } from './store-merge.js';
import { pointKey, type DataPointObservation, type PointKey } from './store-rows.js';
import type { DataPointSignal } from './types.js';

export interface InventoryCacheOptions {
  /** Flush pending deltas at least this often (ms). */
  flushIntervalMs?: number;
  /** Flush as soon as this many distinct points are pending. */
  maxPending?: number;
  /** A point that may be new or drifting is flushed within this delay, so its signal is not held back by the interval. */
  urgentFlushMs?: number;
  /** Receives every new/drift signal the database hands to this process. */
  onSignals?: (signals: DataPointSignal[]) => void | Promise<void>;
  /**
   * Distinct (source, event name) pairs this process records, those already in the inventory
   * included; points of further names are recorded under OVERFLOW_EVENT (like the offline scan).
   */
  maxEventNames?: number;
  /** Values recorded under an overflow entry: past the bound on event names, or (OVERFLOW_PATH) on paths. */
  onOverflow?: (bound: OverflowBound, values: number) => void;
  /** Points dropped from a flush because the database refused their values (see flushIsolated). */
  onRejected?: (points: number) => void;
  /** After each flush written: how many points it wrote (one row each). */
  onFlushed?: (points: number) => void;
  logger?: StorageLogger;
}

/** Which bound sent values to an overflow entry (a metric label: two fixed values). */
export type OverflowBound = 'event_names' | 'paths';

/** The outcome of one pending map's flush, for the callers of record() whose deltas it holds. */
type Settle = Deferred;

// Nobody may be waiting (timer flushes of observe() deltas): no unhandled rejection.
const settle = (): Settle => deferred();

interface KnownPoint {
  risk: number;
  hasCategory: boolean;
}

/**
 * The pipeline's view of the shared inventory. `observe()` is the hot path and never touches the
 * database: it folds observations into pending deltas in memory. Deltas are written by `flush()`
 * (on a timer, when many are pending, or soon after a possibly-new point), and the database —
 * not this cache — decides which points are new, so only one process raises each signal.
 *
 * `record()` is the engine's path: it folds a batch's observations and resolves once the flush
 * holding them is durable, so the batch's offsets are committed only after its counts (a SIGKILL
 * between the two then counts the batch twice, never zero times). Batches finishing together
 * share one flush: still one batched upsert per flush, never a write per event.
 */
export class InventoryCache {
  private readonly known = new Map<string, KnownPoint>();
  private pending = new Map<string, DataPointObservation>();
  /** Event names recorded, per source. */
  private readonly names = new Map<string, Set<string>>();
  private nameCount = 0;
  private readonly maxEventNames: number;
  private readonly warned = new Set<OverflowBound>();
  private timer: NodeJS.Timeout | undefined;
  private urgentTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<DataPointSignal[]> | undefined;
  /** Settled by the flush that takes the current pending map. */
  private settle = settle();
  /** Whether record() callers wait on the pending map (then a failed flush drops it: they redo it). */
  private awaited = false;
  private readonly logger: StorageLogger;
  private readonly interval: number;
  private readonly maxPending: number;
  private readonly urgentMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: InventoryCacheOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger();
    this.interval = options.flushIntervalMs ?? 5_000;
    this.maxPending = options.maxPending ?? 1_000;
    this.urgentMs = options.urgentFlushMs ?? 250;
    this.maxEventNames = options.maxEventNames ?? 50_000;
  }

  /** Loads the known points (startup), so only genuinely unknown or riskier points trigger early flushes. */
  async load(): Promise<number> {
    const rows = await this.db.query<{ source: string; event: string; path: string; category: string | null; recommended: 'red' | 'yellow' | 'green' }>(
      'SELECT source, event, path, category, recommended FROM inventory_points',
    );
    for (const row of rows) {
      this.known.set(pointKey(row), { risk: riskOf(row.recommended), hasCategory: row.category !== null });
      this.admit(row.source, row.event, true);
    }
    return rows.length;
  }

  isKnown(key: PointKey): boolean {
    return this.known.has(pointKey(key));
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** What this cache holds in memory: points known or pending, and distinct event names. */
  get size(): { known: number; pending: number; eventNames: number } {
    return { known: this.known.size, pending: this.pending.size, eventNames: this.nameCount };
  }

  observe(obs: DataPointObservation): void {
    let key = pointKey(obs);
    let seen = this.pending.get(key);
    let known = this.known.get(key);
    // A point not held yet: its event name may be one too many (names come from producers).
    if (seen === undefined && known === undefined && !this.admit(obs.source, obs.event, false)) {
      obs = { ...obs, event: OVERFLOW_EVENT };
      key = pointKey(obs);
      seen = this.pending.get(key);
      known = this.known.get(key);
      this.overflowed('event_names', obs.count);
    }
    if (obs.path === OVERFLOW_PATH) this.overflowed('paths', obs.count);
    this.pending.set(key, seen ? mergeObservation(seen, obs) : { ...obs });
    const candidate = !known || riskOf(obs.classification) > known.risk || (!known.hasCategory && obs.category !== null);
    if (this.pending.size >= this.maxPending) this.flushSoon(0);
    else if (candidate) this.flushSoon(this.urgentMs);
  }

  /**
   * Folds `observations` and resolves once a flush holding them has written them. When that flush
   * fails its deltas are dropped rather than kept pending: every caller waiting on them fails too,
   * leaves its batch uncommitted and records it again when it is redelivered — kept, they would be
   * counted once more per retry.
   */
  async record(observations: readonly DataPointObservation[]): Promise<void> {
    if (observations.length === 0) return;
    for (const obs of observations) this.observe(obs);
    const done = this.settle.promise;
    this.awaited = true;
    this.flush().catch(() => {});
    await done;
  }

  /** Writes all pending deltas; resolves with the signals this process won. Flushes never overlap. */
  async flush(): Promise<DataPointSignal[]> {
    while (this.flushing) await this.flushing.catch(() => []);
    if (this.pending.size === 0) return [];
    this.flushing = this.flushOnce();
    try {
      return await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flushInBackground(), this.interval);
    this.timer.unref();
  }

  /** Stops the timers and writes what is still pending. */
  async stop(): Promise<DataPointSignal[]> {
    if (this.timer) clearInterval(this.timer);
    if (this.urgentTimer) clearTimeout(this.urgentTimer);
    this.timer = this.urgentTimer = undefined;
    return this.flush();
  }

  private async flushOnce(): Promise<DataPointSignal[]> {
    const batch = this.pending;
    const outcome = this.settle;
    const awaited = this.awaited;
    this.pending = new Map();
    this.settle = settle();
    this.awaited = false;
    let signals: DataPointSignal[];
    try {
      signals = await upsertObservations(this.db, [...batch.values()]).catch((err: unknown) => {
        if (!isDataException(err)) throw err;
        return this.flushIsolated(batch);
      });
    } catch (err) {
      // Put the deltas back (merged with anything observed meanwhile): counts must not be lost.
      // Unless record() callers wait on them: their batches are redelivered and recorded again.
      if (!awaited) {
        for (const [key, obs] of batch) {
          const newer = this.pending.get(key);
          this.pending.set(key, newer ? mergeObservation(obs, newer) : obs);
        }
      }
      outcome.reject(err);
      throw err;
    }
    outcome.resolve();
    this.options.onFlushed?.(batch.size);
    for (const [key, obs] of batch) {
      const known = this.known.get(key);
      const risk = riskOf(obs.classification);
      this.known.set(key, { risk: Math.max(risk, known?.risk ?? 0), hasCategory: (known?.hasCategory ?? false) || obs.category !== null });
    }
    if (signals.length > 0 && this.options.onSignals) {
      // The deltas are durable by now; a failing consumer must not make the flush look failed.
      try {
        await this.options.onSignals(signals);
      } catch (err) {
        this.logger.error({ err: safeErrorLabel(err), signals: signals.length }, 'inventory signal handler failed');
      }
    }
    return signals;
  }

  /**
   * The batch was refused for a value in it (SQLSTATE class 22): retrying it whole would fail for
   * ever and hold back every later point. Each point is written alone; the ones still refused are
   * dropped from `batch` (so they are not retried), counted and logged without their text.
   */
  private async flushIsolated(batch: Map<string, DataPointObservation>): Promise<DataPointSignal[]> {
    const signals: DataPointSignal[] = [];
    let rejected = 0;
    let label = '';
    for (const [key, obs] of [...batch]) {
      try {
        signals.push(...(await upsertObservations(this.db, [obs])));
      } catch (err) {
        if (!isDataException(err)) throw err;
        batch.delete(key);
        rejected++;
        label = safeErrorLabel(err);
      }
    }
    if (rejected > 0) {
      this.options.onRejected?.(rejected);
      this.logger.error({ err: label, rejected }, 'inventory: points the database refuses were dropped from the flush; the other points were written');
    }
    return signals;
  }

  /** Whether points of `event` are recorded under their own name; past the bound only names already held are. */
  private admit(source: string, event: string, loading: boolean): boolean {
    let events = this.names.get(source);
    if (events?.has(event)) return true;
    // Rows loaded are in the inventory already: they count toward the bound, whatever it is now.
    if (!loading && event !== OVERFLOW_EVENT && this.nameCount >= this.maxEventNames) return false;
    if (events === undefined) this.names.set(source, (events = new Set()));
    events.add(event);
    this.nameCount++;
    return true;
  }

  /**
   * The signal of an overflow: the callback (a metric), and one warning per bound and process.
   * Neither carries an event name or a path: both come from producers and may be personal data.
   */
  private overflowed(bound: OverflowBound, values: number): void {
    this.options.onOverflow?.(bound, values);
    if (this.warned.has(bound)) return;
    this.warned.add(bound);
    if (bound === 'event_names') {
      this.logger.warn(
        { bound, maxEventNames: this.maxEventNames },
        `inventory: more distinct event names than inventory.maxEventNames; points of further names are recorded under "${OVERFLOW_EVENT}"`,
      );
    } else {
      this.logger.warn(
        { bound },
        `inventory: paths past the path bound (random or id-like keys); their values are recorded under "${OVERFLOW_PATH}" per event name`,
      );
    }
  }

  private flushSoon(delayMs: number): void {
    if (this.urgentTimer) return;
    this.urgentTimer = setTimeout(() => {
      this.urgentTimer = undefined;
      this.flushInBackground();
    }, delayMs);
    this.urgentTimer.unref();
  }

  private flushInBackground(): void {
    this.flush().catch((err) => this.logger.error({ err: safeErrorLabel(err), pending: this.pending.size }, 'inventory flush failed; will retry'));
  }
}
