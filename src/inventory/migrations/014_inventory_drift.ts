/**
 * Drift since review, as the inventory records it (docs/portal.md, "Drift"): `drifted_at` is when
 * a flush last found the point's evidence changed — riskier or newly categorised (which also
 * sends it back to the inbox), a category it never carried before, or a key whose values stopped
 * passing the validator that used to confirm them — and `drift_reason` says which. A point has
 * drifted since review while `drifted_at` is later than its `reviewed_at`: a review clears it.
 *
 * The inbox's counts per effective classification read (status, recommended, reviewed) from an
 * index alone: the expression index of 017 cannot serve an index-only scan, so the count read
 * every row of a 50,000-point inbox from the table.
 */
export const version = 14;
export const name = 'inventory_drift';
export const sql = `
ALTER TABLE inventory_points ADD COLUMN drifted_at timestamptz;
ALTER TABLE inventory_points ADD COLUMN drift_reason text CHECK (drift_reason IN ('classification', 'category', 'validation'));
CREATE INDEX inventory_points_drifted_idx ON inventory_points (drifted_at) WHERE drifted_at IS NOT NULL;
CREATE INDEX inventory_points_status_levels_idx ON inventory_points (status, recommended, reviewed);
`;
