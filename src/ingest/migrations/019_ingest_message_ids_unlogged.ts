/**
 * The shared messageId window is a cache of recent ids, written twice per accepted event (the
 * claim, then the acceptance): on one machine its write-ahead log and index upkeep cost the
 * database about as much CPU as the ingest process spends on the event itself. Unlogged, it
 * writes no WAL; with room left on each page (fillfactor), an acceptance, which changes no
 * indexed column, is a heap-only update. What this gives up: after a database crash (not a clean
 * restart) or on a failed-over replica the window starts empty, so a client retry arriving then
 * may be accepted twice — a duplicate, never a loss; the event store deduplicates on messageId.
 */
export const version = 19;
export const name = 'ingest_message_ids_unlogged';
export const sql = `
ALTER TABLE ingest_message_ids SET UNLOGGED;
ALTER TABLE ingest_message_ids SET (fillfactor = 70);
`;
