/**
 * Erasure leaves a tombstone in place of the subject's data key: the row stays, with no key and
 * the time of the erasure. Writers lock this row before they write (see DataKeys.forWrite), so an
 * event consumed before the erasure but written after it is recognised and dropped instead of
 * being stored under a fresh key. A subject who comes back gets a new key in the same row; the
 * erasure time stays, for events from before it still in flight.
 */
export const version = 7;
export const name = 'erasure_tombstones';
export const sql = `
ALTER TABLE data_keys ALTER COLUMN key_id DROP NOT NULL;
ALTER TABLE data_keys ALTER COLUMN master_version DROP NOT NULL;
ALTER TABLE data_keys ALTER COLUMN wrapped DROP NOT NULL;
ALTER TABLE data_keys ADD COLUMN erased_at timestamptz;
ALTER TABLE data_keys ADD CONSTRAINT data_keys_key_or_tombstone
  CHECK ((wrapped IS NULL) = (key_id IS NULL) AND (wrapped IS NULL) = (master_version IS NULL) AND (wrapped IS NOT NULL OR erased_at IS NOT NULL));
-- The retention sweep forgets erasure times past the window in which erased events may still arrive.
CREATE INDEX data_keys_erased_at_idx ON data_keys (erased_at) WHERE erased_at IS NOT NULL;
`;
