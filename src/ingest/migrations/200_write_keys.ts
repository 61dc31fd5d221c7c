/**
 * The HTTP ingest's write keys (src/api/write-keys.ts): each opens one source, scoped
 * events:write, with secrets stored only as SHA-256 hashes, several while a rotation overlaps —
 * the same secrets table shape as api_key_secrets (SecretRing). Apart from api_keys on purpose: a
 * write key ships inside web pages and apps, so it must never open the control-plane API.
 */
export const version = 200;
export const name = 'write_keys';
export const sql = `
CREATE TABLE write_keys (
  id         text PRIMARY KEY,
  source     text NOT NULL,
  scopes     text[] NOT NULL DEFAULT '{events:write}',
  created_at timestamptz NOT NULL,
  created_by text,
  revoked_at timestamptz
);

CREATE TABLE write_key_secrets (
  secret_hash text PRIMARY KEY,
  key_id      text NOT NULL REFERENCES write_keys (id),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz
);
CREATE INDEX write_key_secrets_key_idx ON write_key_secrets (key_id);
`;
