import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { writeAudit } from '../audit.js';
import { DEFAULT_SCOPES, mayGrant, ROLE_SCOPES, ROLES, SCOPES, type Principal, type Role, type Scope } from '../authz.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import type { ApiKey } from '../api-keys.js';
import { defineRoute, handle } from '../route.js';
import { apiKeySchema, issuedKeySchema } from '../schemas.js';

/** Longest rotation overlap: a week is enough to redeploy anything; longer is a forgotten secret. */
export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;

const createBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).describe('default: the role default scopes').optional(),
  })
  .superRefine((body, ctx) => {
    body.scopes?.forEach((scope, i) => {
      if (!ROLE_SCOPES[body.role].includes(scope)) ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `a ${body.role} key cannot hold ${scope}` });
    });
  });
const keyParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)') });

export const keyRoutes = {
  list: defineRoute({
    operationId: 'listKeys',
    method: 'GET',
    url: '/keys',
    tag: 'keys',
    summary: 'API keys (never their secrets)',
    action: 'keys.manage',
    response: { status: 200, description: 'Keys', schema: z.object({ items: z.array(apiKeySchema) }) },
  }),
  create: defineRoute({
    operationId: 'createKey',
    method: 'POST',
    url: '/keys',
    tag: 'keys',
    summary: 'Create a key; the token is shown in this answer only',
    action: 'keys.manage',
    body: createBody,
    response: { status: 201, description: 'The key and its token', schema: issuedKeySchema },
    errors: [400],
    audit: 'keys.create',
  }),
  rotate: defineRoute({
    operationId: 'rotateKey',
    method: 'POST',
    url: '/keys/:id/rotate',
    tag: 'keys',
    summary: 'Issue a new secret; the old one keeps working for overlapSeconds, then stops',
    action: 'keys.manage',
    params: keyParams,
    body: z.strictObject({ overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(3600) }),
    response: { status: 200, description: 'The key and its new token', schema: issuedKeySchema },
    errors: [400, 404],
    audit: 'keys.rotate',
  }),
  revoke: defineRoute({
    operationId: 'revokeKey',
    method: 'DELETE',
    url: '/keys/:id',
    tag: 'keys',
    summary: 'Revoke a key (at once in this API process, within 5 s in the others: they trust a verified key that long)',
    action: 'keys.manage',
    params: keyParams,
    response: { status: 200, description: 'The revoked key', schema: apiKeySchema },
    errors: [400, 404],
    audit: 'keys.revoke',
  }),
};

/** What the audit log keeps of a key: never a secret or its hash. */
export function keyState(key: ApiKey | null) {
  return key && { name: key.name, role: key.role, scopes: key.scopes, revokedAt: key.revokedAt, liveSecrets: key.secrets.length };
}

export function registerKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, keyRoutes.list, async () => ({ items: await ctx.keys.list() }));
  handle(app, ctx, keyRoutes.create, async ({ body, principal, req }) => {
    const scopes = body.scopes ? [...new Set(body.scopes)] : [...DEFAULT_SCOPES[body.role]];
    const grant = mayGrant(principal, body.role, scopes);
    if (!grant.allowed) throw new ApiError(403, 'forbidden', grant.reason);
    return ctx.db.transaction(async (tx) => {
      const issued = await ctx.keys.create(tx, { name: body.name, role: body.role, scopes, createdBy: principal.keyId });
      await writeAudit(tx, {
        actor: { keyId: principal.keyId, role: principal.role },
        action: 'keys.create',
        targetType: 'api_key',
        targetId: issued.key.id,
        before: null,
        after: keyState(issued.key),
        requestId: req.id,
      });
      return issued;
    });
  });
  handle(app, ctx, keyRoutes.rotate, async ({ params, body, principal, req }) => {
    // Forgotten again after the commit: a request verified meanwhile could have cached the old state.
    return forgetAfter(ctx, params.id, () =>
      ctx.db.transaction(async (tx) => {
        const before = await ctx.keys.get(tx, params.id);
        if (!before || before.revokedAt) throw notFound('active key');
        mayManage(principal, before);
        const issued = await ctx.keys.rotate(tx, params.id, body.overlapSeconds);
        if (!issued) throw notFound('active key');
        await writeAudit(tx, {
          actor: { keyId: principal.keyId, role: principal.role },
          action: 'keys.rotate',
          targetType: 'api_key',
          targetId: params.id,
          before: keyState(before),
          after: { ...keyState(issued.key), overlapSeconds: body.overlapSeconds },
          requestId: req.id,
        });
        return issued;
      }),
    );
  });
  handle(app, ctx, keyRoutes.revoke, async ({ params, principal, req }) => {
    return forgetAfter(ctx, params.id, () =>
      ctx.db.transaction(async (tx) => {
        const before = await ctx.keys.get(tx, params.id);
        if (!before) throw notFound('key');
        mayManage(principal, before);
        const minted = await ctx.keys.revokeWithMinted(tx, params.id);
        const after = await ctx.keys.get(tx, params.id);
        await writeAudit(tx, {
          actor: { keyId: principal.keyId, role: principal.role },
          action: 'keys.revoke',
          targetType: 'api_key',
          targetId: params.id,
          before: keyState(before),
          after: { ...keyState(after), ...(minted.length > 0 ? { revokedWithIt: minted } : {}) },
          requestId: req.id,
        });
        return after;
      }),
    );
  });
}

async function forgetAfter<T>(ctx: ApiContext, keyId: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    ctx.keys.forget(keyId);
  }
}

/**
 * Rotating hands out the target's new token and revoking disarms it: a key may do either only to
 * keys it could have created (no higher role, no scope it lacks), or to itself.
 */
function mayManage(principal: Principal, target: { id: string; role: Role; scopes: readonly Scope[] }): void {
  if (target.id === principal.keyId) return;
  const grant = mayGrant(principal, target.role, target.scopes);
  if (!grant.allowed) throw new ApiError(403, 'forbidden', `a key may rotate or revoke only keys it could create (${grant.reason})`);
}
