/**
 * Key management gets its own scope (`keys:manage`); before, any owner key could list, mint and
 * rotate keys whatever its scopes. Owner keys holding every scope there was (created with the
 * defaults: the bootstrap key, full owners) keep managing keys; an owner key narrowed to some
 * scopes (an auditor's `audit:read`) loses it, which is the point.
 */
export const version = 9;
export const name = 'keys_manage_scope';
export const sql = `
UPDATE api_keys SET scopes = array_append(scopes, 'keys:manage')
 WHERE role = 'owner' AND NOT ('keys:manage' = ANY(scopes))
   AND scopes @> ARRAY['events:write', 'profiles:read', 'inventory:manage', 'policies:manage', 'deletions:trigger', 'audit:read']::text[];
`;
