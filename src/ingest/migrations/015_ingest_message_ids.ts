/**
 * messageIds accepted by any ingest process (src/ingest/shared-dedup.ts): processes behind one load
 * balancer share the window, so a client's retry that lands on another process is still a
 * duplicate. A row is first a claim (accepted false, held by one process while it produces), then
 * accepted until `expires_at`. A claim whose process died is taken over after a lease.
 */
export const version = 15;
export const name = 'ingest_message_ids';
export const sql = `
CREATE TABLE ingest_message_ids (
  source      text NOT NULL,
  message_id  text NOT NULL,
  claim       text NOT NULL,
  accepted    boolean NOT NULL DEFAULT false,
  claimed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (source, message_id)
);
CREATE INDEX ingest_message_ids_expiry_idx ON ingest_message_ids (expires_at);
`;
