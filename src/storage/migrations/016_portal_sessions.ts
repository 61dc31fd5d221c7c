/**
 * Privacy Portal sessions (src/portal/session-store.ts). The cookie carries a signed random id; the
 * row is keyed by the id's SHA-256, so a copy of this table opens no session. `data` holds the
 * principal (key id or SSO subject hash, role, scopes), the CSRF secret and the idle/absolute
 * deadlines — never personal data of data subjects. Expired rows are deleted as they are met and
 * by the periodic sweep.
 */
export const version = 16;
export const name = 'portal_sessions';
export const sql = `
CREATE TABLE portal_sessions (
  id_hash    text PRIMARY KEY,
  data       jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX portal_sessions_expires_idx ON portal_sessions (expires_at);
`;
