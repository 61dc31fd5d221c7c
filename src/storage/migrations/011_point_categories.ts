/**
 * A data point can carry several categories (a form's `fields[].value` holds an email in one
 * element and a phone number in the next; a chat transcript holds a card number and an email).
 * `categories` lists every one seen, riskiest first, each with its count and last seen
 * (inventory/types.ts CategoryCount); `category` and the other primary columns stay the riskiest
 * decision, as before. Points from before this migration list nothing until they are seen again.
 */
export const version = 11;
export const name = 'point_categories';
export const sql = `
ALTER TABLE inventory_points ADD COLUMN categories jsonb NOT NULL DEFAULT '[]'::jsonb;
`;
