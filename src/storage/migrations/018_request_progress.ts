/**
 * Per-step progress of a data-subject request: the running totals (events, keys, profiles, …
 * removed; subjects suppressed), written in the transaction of each step. A request resumed after
 * its process died (SIGKILL mid-erasure) starts from them, so its single receipt reports what the
 * whole request did, not only the run that finished it.
 */
export const version = 18;
export const name = 'request_progress';
export const sql = `
ALTER TABLE subject_requests ADD COLUMN progress jsonb;
`;
