import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';
import { issuedWriteKeySchema, writeKeySchema } from '../schemas.js';
import { auditedWriteKeys } from '../write-keys.js';
import { MAX_OVERLAP_SECONDS } from './api-keys.js';

/**
 * The HTTP ingest's write keys, managed like API keys (Owner, or a key with keys:manage): each
 * opens one source for events:write and nothing else. The same audited operations as
 * `segmentloom ingest keys`.
 */
const params = z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a write key id (16 hex digits)') });

export const writeKeyRoutes = {
  list: defineRoute({
    operationId: 'listWriteKeys',
    method: 'GET',
    url: '/write-keys',
    tag: 'keys',
    summary: 'Write keys of the HTTP ingest, with their sources (never their secrets)',
    action: 'keys.manage',
    response: { status: 200, description: 'Write keys', schema: z.object({ items: z.array(writeKeySchema) }) },
  }),
  create: defineRoute({
    operationId: 'createWriteKey',
    method: 'POST',
    url: '/write-keys',
    tag: 'keys',
    summary: 'Create a write key for a source; the write key is shown in this answer only',
    action: 'keys.manage',
    body: z.strictObject({ source: z.string().trim().min(1).max(200) }),
    response: { status: 201, description: 'The key and its write key', schema: issuedWriteKeySchema },
    errors: [400],
    audit: 'write_keys.create',
  }),
  rotate: defineRoute({
    operationId: 'rotateWriteKey',
    method: 'POST',
    url: '/write-keys/:id/rotate',
    tag: 'keys',
    summary: 'Issue a new write key; the old one keeps working for overlapSeconds, then stops',
    action: 'keys.manage',
    params,
    body: z.strictObject({ overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(3600) }),
    response: { status: 200, description: 'The key and its new write key', schema: issuedWriteKeySchema },
    errors: [400, 404],
    audit: 'write_keys.rotate',
  }),
  revoke: defineRoute({
    operationId: 'revokeWriteKey',
    method: 'DELETE',
    url: '/write-keys/:id',
    tag: 'keys',
    summary: 'Revoke a write key (within 5 s in every ingest process: they trust a verified write key that long)',
    action: 'keys.manage',
    params,
    response: { status: 200, description: 'The revoked key', schema: writeKeySchema },
    errors: [400, 404],
    audit: 'write_keys.revoke',
  }),
};

export function registerWriteKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const actor = (principal: { keyId: string; role: string }) => ({ keyId: principal.keyId, role: principal.role });
  handle(app, ctx, writeKeyRoutes.list, async () => ({ items: await ctx.writeKeys.list() }));
  handle(app, ctx, writeKeyRoutes.create, async ({ body, principal, req }) =>
    auditedWriteKeys.create(ctx.db, ctx.writeKeys, { source: body.source, actor: actor(principal), requestId: req.id }),
  );
  handle(app, ctx, writeKeyRoutes.rotate, async ({ params, body, principal, req }) => {
    const issued = await auditedWriteKeys.rotate(ctx.db, ctx.writeKeys, {
      id: params.id,
      overlapSeconds: body.overlapSeconds,
      actor: actor(principal),
      requestId: req.id,
    });
    if (!issued) throw notFound('active write key');
    return issued;
  });
  handle(app, ctx, writeKeyRoutes.revoke, async ({ params, principal, req }) => {
    const revoked = await auditedWriteKeys.revoke(ctx.db, ctx.writeKeys, { id: params.id, actor: actor(principal), requestId: req.id });
    if (!revoked) throw notFound('write key');
    return revoked;
  });
}
