import type { SegmentEvent } from '../events/index.js';

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
