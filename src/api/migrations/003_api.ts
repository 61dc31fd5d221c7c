/**
 * The control-plane API: keys (secrets stored only as SHA-256 hashes; several per key while a
 * rotation overlaps), versioned configuration files, and the append-only audit log.
 *
 * Nothing here holds personal data: audit entries name data subjects by their lookup hash only.
 * The audit log rejects UPDATE, DELETE and TRUNCATE in triggers (hardened in 006), so no statement
 * of the application can change or remove an entry. This is not proof against the table's owner,
 * which is normally the application's own role (it runs the migrations): an owner or a superuser
 * can still disable or drop the triggers, or drop the table, on purpose. See 006 for what holds.
 */
export const version = 3;
export const name = 'api';
export const sql = `
CREATE TABLE api_keys (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  role       text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  scopes     text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  created_by text,
  revoked_at timestamptz
);

CREATE TABLE api_key_secrets (
  secret_hash text PRIMARY KEY,
  key_id      text NOT NULL REFERENCES api_keys (id),
  created_at  timestamptz NOT NULL,
  -- NULL: valid until rotated or revoked; set by a rotation to the end of its overlap.
  expires_at  timestamptz
);
CREATE INDEX api_key_secrets_key_idx ON api_key_secrets (key_id);

CREATE TABLE config_versions (
  kind          text NOT NULL CHECK (kind IN ('classifier', 'policy')),
  name          text NOT NULL,
  version       integer NOT NULL,
  content       text NOT NULL,
  sha256        text NOT NULL,
  author_key_id text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, name, version)
);

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_key_id text,
  actor_role   text NOT NULL,
  action       text NOT NULL,
  target_type  text NOT NULL,
  target_id    text,
  before       jsonb,
  after        jsonb,
  request_id   text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`;
