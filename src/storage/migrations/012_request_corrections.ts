/**
 * Correction requests (GDPR art. 16, CCPA right to correct). A CORRECT request carries the
 * corrected traits until they are applied and forwarded to destinations; they are sealed under a
 * data key of the request's own (`request:<id>`), destroyed once forwarded, so the new values are
 * kept nowhere but in the corrected profile and events. `forwarded_at` records when the engine
 * handed the corrective identify to the pipeline.
 */
export const version = 12;
export const name = 'request_corrections';
export const sql = `
ALTER TABLE subject_requests DROP CONSTRAINT IF EXISTS subject_requests_type_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_type_check
  CHECK (type IN ('SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS', 'CORRECT'));
ALTER TABLE subject_requests ADD COLUMN correction bytea;
ALTER TABLE subject_requests ADD COLUMN forwarded_at timestamptz;
CREATE INDEX subject_requests_forward_idx ON subject_requests (finished_at) WHERE correction IS NOT NULL AND status = 'FINISHED';
`;
