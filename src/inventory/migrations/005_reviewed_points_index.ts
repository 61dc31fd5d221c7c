/**
 * The engines poll the reviewed classifications every few seconds: a partial index keeps that a
 * read of the reviewed points only, however large the inventory grows.
 */
export const version = 5;
export const name = 'reviewed_points_index';
export const sql = `
CREATE INDEX inventory_points_reviewed_idx ON inventory_points (source, event, path) INCLUDE (category, reviewed, reviewed_at) WHERE reviewed IS NOT NULL;
`;
