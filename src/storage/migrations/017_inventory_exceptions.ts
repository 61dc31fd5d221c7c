/**
 * Review exceptions: a reviewer's "not personal data" for one data point (source, event, path),
 * with the evidence it was given against (classifier, recommendation) and the reviewer's reason.
 * The point is classified green and leaves the inbox; new events of the same evidence leave it
 * there. Riskier evidence later (drift) still sends it back: an exception covers what the
 * reviewer saw, never data they did not see (fail closed).
 *
 * The inbox is read newest first (the portal's first page) with its counts per classification:
 * indexes on (status, last_seen) and (status, effective classification) keep both short index
 * scans however large the inventory grows.
 */
export const version = 17;
export const name = 'inventory_exceptions';
export const sql = `
CREATE TABLE inventory_exceptions (
  source      text NOT NULL,
  event       text NOT NULL,
  path        text NOT NULL,
  category    text,
  recommended text NOT NULL,
  reason      text NOT NULL,
  actor_key_id text,
  actor_role  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event, path)
);
CREATE INDEX inventory_points_status_last_seen_idx ON inventory_points (status, last_seen DESC);
CREATE INDEX inventory_points_status_effective_idx ON inventory_points (status, (coalesce(reviewed, recommended)));
`;
