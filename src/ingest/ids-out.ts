import { deferred } from '../core/deferred.js';

/**
 * What one statement about some ids will have found out: whether each id is accepted. Known once
 * `done` resolves (it never rejects: a failed statement knows nothing, every id reads false).
 */
export interface IdOutcome {
  done: Promise<void>;
  accepted(source: string, id: string): boolean;
}

/** No id accepted. */
export const NONE = (): boolean => false;

/** A statement's IdOutcome, known once it returned. */
export class Outcome implements IdOutcome {
  private readonly known = deferred();
  readonly done = this.known.promise;
  private found: (source: string, id: string) => boolean = NONE;

  accepted(source: string, id: string): boolean {
    return this.found(source, id);
  }

  /** Returned: `found` says which ids it found accepted. */
  returned(found: (source: string, id: string) => boolean): void {
    this.found = found;
    this.known.resolve();
  }

  /** Failed: it knows nothing (a later asker is answered pending, and retries). */
  failed(): void {
    this.known.resolve();
  }
}

/**
 * The (source, messageId) pairs that have a statement out from this process (a claim or an
 * acceptance), each with that statement's outcome. Statements may run side by side on the pool's
 * connections, so an id held here is never put in a second one: a later asker waits for the
 * statement out and reads its outcome instead. Two statements of this process then never touch
 * one row (no lock waits, no deadlock between them), and an id asked for twice goes to the first
 * asker — as it would one statement later. One map per source, as in MessageIdWindow: a lookup
 * builds no key string.
 */
export class IdsOut {
  private readonly bySource = new Map<string, Map<string, IdOutcome>>();

  /** The outcome `id` waits for, if a statement about it is out. */
  get(source: string, id: string): IdOutcome | undefined {
    return this.bySource.get(source)?.get(id);
  }

  /** Holds `id` for `outcome`'s statement. */
  hold(source: string, id: string, outcome: IdOutcome): void {
    let ids = this.bySource.get(source);
    if (ids === undefined) this.bySource.set(source, (ids = new Map()));
    ids.set(id, outcome);
  }

  /** Lets go of the ids `outcome` held (an id another statement holds since stays held by it). */
  release(sources: readonly string[], ids: readonly string[], outcome: IdOutcome): void {
    let source: string | undefined;
    let map: Map<string, IdOutcome> | undefined;
    for (let i = 0; i < ids.length; i++) {
      if (sources[i] !== source) {
        source = sources[i]!;
        map = this.bySource.get(source);
      }
      if (map?.get(ids[i]!) === outcome) map.delete(ids[i]!);
    }
    // Empty per-source maps stay: sources are few and configured.
  }
}
