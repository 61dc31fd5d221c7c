/**
 * Links between an identified subject (userId) and the anonymous ids seen with it: an event
 * carrying both, or an `alias` call (previousId → userId). A request by userId reaches the person's
 * anonymous history (events stored under the anonymousId before they logged in) through them.
 * Both columns are keyed HMACs, like every subject column.
 */
export const version = 4;
export const name = 'subject_links';
export const sql = `
CREATE TABLE subject_links (
  subject_hash text NOT NULL,
  linked_hash  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_hash, linked_hash)
);
CREATE INDEX subject_links_linked_idx ON subject_links (linked_hash);
`;
