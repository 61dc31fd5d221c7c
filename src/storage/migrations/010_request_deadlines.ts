/**
 * Each data-subject request records the regulation it is answered under and the legal deadline
 * that follows from it. Requests from before this migration have neither (NULL): their deadline
 * was never recorded, and inventing one would misstate it.
 */
export const version = 10;
export const name = 'request_deadlines';
export const sql = `
ALTER TABLE subject_requests ADD COLUMN regulation text;
ALTER TABLE subject_requests ADD COLUMN deadline_at timestamptz;
-- Requests at risk: unfinished ones by deadline.
CREATE INDEX subject_requests_open_deadline_idx ON subject_requests (deadline_at) WHERE status <> 'FINISHED';
`;
