import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { defineRoute, handle } from '../route.js';

const versions = z.array(z.object({ version: z.number().int(), keys: z.number().int() })).describe('data keys wrapped per master version');

export const masterKeyRoutes = {
  status: defineRoute({
    operationId: 'getMasterKeys',
    method: 'GET',
    url: '/master-keys',
    tag: 'keys',
    summary: 'Master-key versions: the current one, and how many data keys each wraps (never a key)',
    action: 'masterKeys.manage',
    response: { status: 200, description: 'Versions in use', schema: z.object({ currentVersion: z.number().int(), versions }) },
  }),
  rotate: defineRoute({
    operationId: 'rotateMasterKey',
    method: 'POST',
    url: '/master-keys/rotate',
    tag: 'keys',
    summary: 'Re-wrap every data key under the newest master version (online), then vacuum the key table',
    description:
      'Add the new version to SEGMENTLOOM_MASTER_KEYS of this server and the engines first (keeping the old one). Events are not re-encrypted. Once no data key is wrapped by the old version, remove it and destroy it.',
    action: 'masterKeys.manage',
    body: z.strictObject({ batchSize: z.number().int().min(1).max(100_000).default(500) }),
    response: {
      status: 200,
      description: 'What was re-wrapped',
      schema: z.object({ currentVersion: z.number().int(), rewrapped: z.number().int(), batches: z.number().int(), remaining: z.number().int(), versions }),
    },
    errors: [400],
    audit: 'masterKeys.rotate',
  }),
};

export function registerMasterKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const dataKeys = ctx.storage.dataKeys;
  handle(app, ctx, masterKeyRoutes.status, async () => ({ currentVersion: dataKeys.currentMasterVersion, versions: await dataKeys.masterVersionsInUse() }));
  handle(app, ctx, masterKeyRoutes.rotate, async ({ body, principal, req }) => {
    const before = await dataKeys.masterVersionsInUse();
    const result = await dataKeys.rewrap({ batchSize: body.batchSize });
    const after = await dataKeys.masterVersionsInUse();
    const currentVersion = dataKeys.currentMasterVersion;
    await writeAudit(ctx.db, {
      actor: { keyId: principal.keyId, role: principal.role },
      action: 'masterKeys.rotate',
      targetType: 'master_key',
      targetId: String(currentVersion),
      before: { versions: before },
      after: { versions: after, rewrapped: result.rewrapped },
      requestId: req.id,
    });
    return { currentVersion, ...result, versions: after };
  });
}
