/**
 * The audit log's append-only guard, as strong as SQL can make it while the application's own role
 * owns the table (it runs the migrations). 003 added row-level triggers; this adds:
 *
 * - a statement-level trigger refusing every UPDATE and DELETE, even one that matches no row;
 * - ENABLE ALWAYS on every guard trigger, so they fire in any `session_replication_role` (setting it
 *   to `replica`, as replication and restore tools do, no longer skips them);
 * - the UPDATE, DELETE and TRUNCATE privileges revoked from PUBLIC and from the owner itself, so a
 *   non-superuser owner is refused by the privilege check before the triggers (SQLSTATE 42501 both
 *   ways). SELECT and INSERT stay.
 *
 * What holds: no statement of the application (or of any role through UPDATE, DELETE, TRUNCATE or
 * MERGE) can change or remove an entry, on PostgreSQL and PGlite alike. What does not, and no SQL
 * can ensure: the table's owner or a superuser can still undo the guard on purpose with DDL (GRANT
 * the privileges back, ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER, replace the function, DROP
 * TABLE). Guarding against that needs a separate owner role for the schema and an application role
 * holding only SELECT and INSERT on audit_log; Segmentloom does not set that up itself.
 */
export const version = 6;
export const name = 'audit_log_append_only';
export const sql = `
CREATE TRIGGER audit_log_no_change_stmt BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_change_stmt;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_change;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;
`;
