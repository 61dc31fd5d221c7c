/**
 * A stored event is the same event only when its subject AND messageId match. Before, messageId
 * was unique across all subjects: an event of one subject reusing another subject's messageId (a
 * buggy SDK, or an attacker who learnt one) was taken as already stored and skipped, and the real
 * event was lost. Existing rows are unique on messageId, so they are unique on the pair too.
 */
export const version = 8;
export const name = 'events_subject_message_id';
export const sql = `
CREATE UNIQUE INDEX events_subject_message_id_key ON events (subject_hash, message_id);
ALTER TABLE events DROP CONSTRAINT events_message_id_key;
-- Lookups by subject use the new index's leading column.
DROP INDEX events_subject_idx;
`;
