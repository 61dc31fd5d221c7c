import { reviewedClassifications, reviewsVersion } from '../inventory/review.js';
import type { Db, StorageLogger } from '../storage/db.js';
import { safeErrorLabel } from '../storage/sql.js';
import type { SuppressionList } from '../storage/suppression/list.js';
import { classifiedPoints } from '../inventory/classified-points.js';
import { PointMemory, type RememberedPoint } from '../pipeline/point-memory.js';
import { ReviewedClassifications, type ReviewedPoint } from '../pipeline/reviewed.js';
import type { WorkerState } from '../pipeline/worker/protocol.js';

export interface StoreListsOptions {
  db: Db;
  /** The store's suppression list, when `suppression.fromStore` is on. */
  suppressions: SuppressionList | null;
  suppressionPollMs: number;
  /** Poll reviewed classifications this often; null: not used. */
  reviewPollMs: number | null;
  /** Poll classified points (what other engines found) into point memory this often; null: load at start only. */
  pointsPollMs?: number | null;
  logger: StorageLogger;
}

/**
 * The lists the per-event path reads from memory and the store keeps: suppressed subjects and
 * reviewed classifications. Polled in the background (never a query per event); a failed poll
 * keeps the previous lists. Each change is also reported to `onChange` (worker threads get a copy).
 */
export class StoreLists {
  /** The reviewed classifications in force (null: none, or not used). */
  reviews: ReviewedClassifications | null = null;
  onChange: ((state: WorkerState) => void) | null = null;
  /** Enforcement's point memory, seeded from the inventory (the local processor uses it). */
  readonly memory = new PointMemory();
  private pointsUntil: string | null = null;
  private reviewed: ReviewedPoint[] = [];
  private reviewSignature = '';
  private reviewsSeen: string | null = null;
  private sentSuppressed: ReadonlySet<string> | null = null;
  private readonly stops: Array<() => void> = [];

  constructor(private readonly options: StoreListsOptions) {}

  /** The lists as of now, e.g. for a worker thread starting up. */
  get state(): WorkerState {
    return {
      ...(this.options.suppressions ? { suppressed: [...this.options.suppressions.subjectHashes] } : {}),
      ...(this.options.reviewPollMs !== null ? { reviews: this.reviewed } : {}),
      points: this.memory.seeded(),
    };
  }

  /** First load, before any event is processed: a failure here stops the engine from starting. */
  async load(): Promise<void> {
    await this.refreshSuppressions();
    await this.refreshReviews();
    await this.refreshPoints();
  }

  start(): void {
    if (this.options.suppressions)
      this.stops.push(
        poll(
          this.options.suppressionPollMs,
          () => this.refreshSuppressions(),
          (err) => this.failed('suppression list', err),
        ),
      );
    if (this.options.reviewPollMs !== null)
      this.stops.push(
        poll(
          this.options.reviewPollMs,
          () => this.refreshReviews(),
          (err) => this.failed('reviewed classifications', err),
        ),
      );
    const pointsMs = this.options.pointsPollMs ?? null;
    if (pointsMs !== null)
      this.stops.push(
        poll(
          pointsMs,
          () => this.refreshPoints(),
          (err) => this.failed('classified points', err),
        ),
      );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  async refreshSuppressions(): Promise<void> {
    const list = this.options.suppressions;
    if (list === null) return;
    await list.refresh();
    const now = list.subjectHashes;
    if (this.onChange !== null && !sameSet(now, this.sentSuppressed)) this.onChange({ suppressed: [...now] });
    this.sentSuppressed = now;
  }

  async refreshReviews(): Promise<void> {
    if (this.options.reviewPollMs === null) return;
    // One indexed aggregate per poll; the reviewed rows only when something changed.
    const version = await reviewsVersion(this.options.db);
    if (version === this.reviewsSeen) return;
    const rows = await reviewedClassifications(this.options.db);
    this.reviewsSeen = version;
    const reviewed: ReviewedPoint[] = rows.map((row) => ({
      source: row.source,
      event: row.event,
      path: row.path,
      category: row.category,
      classification: row.classification,
    }));
    // Unchanged: keep the generation in force, and with it the per-path caches it has built.
    const signature = JSON.stringify(reviewed);
    if (signature === this.reviewSignature) return;
    this.reviewSignature = signature;
    this.reviewed = reviewed;
    this.reviews = new ReviewedClassifications(reviewed);
    this.onChange?.({ reviews: reviewed });
  }

  /** Classified points into point memory: all of them at start, then what changed. */
  async refreshPoints(): Promise<void> {
    const { rows, until } = await classifiedPoints(this.options.db, this.pointsUntil);
    this.pointsUntil = until;
    if (rows.length === 0) return;
    const points: RememberedPoint[] = rows.map((row) => ({
      source: row.source,
      event: row.event,
      path: row.path,
      category: row.category,
      dataCategory: row.data_category,
      classification: row.recommended,
    }));
    const changed = this.memory.seed(points);
    // Workers get the changes only; a worker starting later gets them all from `state`.
    if (changed.length > 0) this.onChange?.({ points: changed });
  }

  private failed(what: string, err: unknown): void {
    this.options.logger.error({ err: safeErrorLabel(err) }, `${what} refresh failed; keeping the previous list`);
  }
}

/** Runs `work` every `ms` without overlapping runs; the timer never keeps the process alive. */
function poll(ms: number, work: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string> | null): boolean {
  if (b === null || a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
