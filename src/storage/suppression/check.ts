import { EMAIL_SUPPRESSION_PREFIX, suppressionCheck, type SuppressionHasher } from './list.js';
import type { SegmentEvent } from '../../events/index.js';

/**
 * Whether an event's subject asked not to be processed. Checked before anything else reads the
 * event. Synchronous on purpose: it runs per event; a store-backed implementation keeps its set in
 * memory and refreshes it in the background.
 */
export interface SuppressionCheck {
  isSuppressed(event: SegmentEvent): boolean;
}

/** The config-file list (`suppression: { userIds, anonymousIds }`). */
export class StaticSuppression implements SuppressionCheck {
  private readonly userIds: ReadonlySet<string>;
  private readonly anonymousIds: ReadonlySet<string>;

  constructor(lists: { userIds?: readonly string[]; anonymousIds?: readonly string[] } = {}) {
    this.userIds = new Set(lists.userIds ?? []);
    this.anonymousIds = new Set(lists.anonymousIds ?? []);
  }

  get size(): number {
    return this.userIds.size + this.anonymousIds.size;
  }

  isSuppressed(event: SegmentEvent): boolean {
    // Either identifier is enough: an event carrying a suppressed userId next to a fresh
    // anonymousId still belongs to the person who asked.
    if (this.userIds.size > 0 && event.userId != null && this.userIds.has(String(event.userId))) return true;
    if (this.anonymousIds.size > 0 && event.anonymousId != null && this.anonymousIds.has(String(event.anonymousId))) return true;
    return false;
  }
}

/**
 * The store's suppression list as a copy of its subject hashes: for worker threads, which cannot
 * reach the database (the engine sends them each new list). Same rule as
 * `SuppressionList.forEvents`: either identifier is enough, nothing is hashed while the list is empty.
 */
export class HashedSuppression implements SuppressionCheck {
  private hashes: ReadonlySet<string> = new Set();
  private emails = false;
  private readonly check: SuppressionCheck;

  constructor(hasher: SuppressionHasher) {
    this.check = suppressionCheck(hasher, () => ({ hashes: this.hashes, emails: this.emails }));
  }

  replace(hashes: Iterable<string>): void {
    this.hashes = new Set(hashes);
    this.emails = [...this.hashes].some((h) => h.startsWith(EMAIL_SUPPRESSION_PREFIX));
  }

  isSuppressed(event: SegmentEvent): boolean {
    return this.check.isSuppressed(event);
  }
}
