/**
 * The durable, shared data-point inventory: one row per (source, event, path), written by every
 * engine process. Examples are masked; `example_subject` (an HMAC) lets erasure find them.
 */
export const version = 2;
export const name = 'inventory';
export const sql = `
CREATE TABLE inventory_points (
  source          text NOT NULL,
  event           text NOT NULL,
  path            text NOT NULL,
  category        text,
  data_category   text,
  recommended     text NOT NULL CHECK (recommended IN ('red', 'yellow', 'green')),
  reviewed        text CHECK (reviewed IN ('red', 'yellow', 'green')),
  status          text NOT NULL DEFAULT 'inbox' CHECK (status IN ('inbox', 'inventory')),
  matched_on      text,
  confidence      double precision NOT NULL DEFAULT 0,
  matcher         text,
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  count           bigint NOT NULL DEFAULT 0,
  destinations    text[] NOT NULL DEFAULT '{}',
  example         text,
  example_subject text,
  reviewed_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event, path)
);
CREATE INDEX inventory_points_status_idx ON inventory_points (status);
CREATE INDEX inventory_points_example_subject_idx ON inventory_points (example_subject) WHERE example_subject IS NOT NULL;
`;
