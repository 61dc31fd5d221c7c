/**
 * Event store, envelope-encryption keys, profiles, email identities, data-subject requests and the
 * suppression list. Personal data lives only in the encrypted `payload`/`traits` columns; subjects
 * and emails appear only as keyed HMACs.
 */
export const version = 1;
export const name = 'events_and_keys';
export const sql = `
CREATE TABLE data_keys (
  subject_hash   text PRIMARY KEY,
  key_id         uuid NOT NULL UNIQUE,
  master_version integer NOT NULL,
  wrapped        bytea NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  rewrapped_at   timestamptz
);
-- Rotation scans for keys still wrapped by an old master version.
CREATE INDEX data_keys_master_version_idx ON data_keys (master_version);

CREATE TABLE events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id      text NOT NULL UNIQUE,
  subject_hash    text NOT NULL,
  data_key_id     uuid NOT NULL,
  event_name      text NOT NULL,
  event_type      text NOT NULL,
  event_timestamp timestamptz,
  received_at     timestamptz NOT NULL,
  expires_at      timestamptz,
  payload         bytea NOT NULL
);
CREATE INDEX events_subject_idx ON events (subject_hash);
-- Partial: rows kept forever (NULL) never need sweeping.
CREATE INDEX events_expires_at_idx ON events (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE profiles (
  subject_hash text PRIMARY KEY,
  data_key_id  uuid,
  traits       bytea,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identities (
  email_hash   text NOT NULL,
  subject_hash text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (email_hash, subject_hash)
);
CREATE INDEX identities_subject_idx ON identities (subject_hash);

CREATE TABLE subject_requests (
  id           uuid PRIMARY KEY,
  type         text NOT NULL CHECK (type IN ('SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS')),
  id_kind      text NOT NULL CHECK (id_kind IN ('userId', 'anonymousId', 'email')),
  lookup_hash  text NOT NULL,
  status       text NOT NULL CHECK (status IN ('RECEIVED', 'RUNNING', 'FINISHED', 'FAILED')),
  received_at  timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  failure      text,
  receipt      jsonb
);
CREATE INDEX subject_requests_lookup_idx ON subject_requests (lookup_hash);
CREATE INDEX subject_requests_pending_idx ON subject_requests (received_at) WHERE status = 'RECEIVED';

CREATE TABLE suppressions (
  subject_hash text PRIMARY KEY,
  request_id   uuid,
  created_at   timestamptz NOT NULL DEFAULT now()
);
`;
