/** Bounds that protect the consumer from hostile or broken events. */
export interface EventLimits {
  /** Largest accepted encoded event, in bytes. */
  maxBytes: number;
  /** Deepest nesting of objects/arrays below the event root. */
  maxDepth: number;
  /** Most leaf values one event may carry. */
  maxLeaves: number;
}

export const DEFAULT_LIMITS: EventLimits = {
  maxBytes: 512 * 1024,
  maxDepth: 32,
  maxLeaves: 10_000,
};
