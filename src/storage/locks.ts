/**
 * Transaction-level advisory locks shared by the storage layer and the inventory (released by
 * commit or rollback). Advisory locks are per database, not per schema: stores in other schemas of
 * the same database share them, which costs at most a short wait.
 */

/**
 * Held by every inventory flush (shared) and by an erasure while it clears examples (exclusive):
 * the clearing waits for flushes in flight, whatever they read, and a flush starting after it sees
 * the erasure's tombstones. Without it a flush that found no key row for a subject (one with no
 * stored event) could write an example back after the erasure had cleared them.
 */
export const EXAMPLES_LOCK = 0x534c_4558; // 'SLEX'

/**
 * Held (transaction-level, tried without waiting) by the engine process that runs the scheduled
 * retention sweep: with several engines on one database exactly one sweeps at a time. The lock
 * dies with its connection, so a sweeper that crashes releases it and the next one resumes.
 */
export const RETENTION_SWEEP_LOCK = 0x534c_5257; // 'SLRW'

/**
 * With a request id's hash, held (session-level, on a pinned connection) by the process running
 * that data-subject request, for the whole run (see SubjectRequests.run): dies with the runner's connection, so a killed runner's request
 * is taken over at once and never by two live processes.
 */
export const REQUEST_LOCK = 0x534c_5251; // 'SLRQ'
