import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dataMap, getException, listExceptions, markReviewed, rejectPoint, reviewCounts } from '../../inventory/exceptions.js';
import { getDataPoint } from '../../inventory/review.js';
import type { PointKey, StoredDataPoint } from '../../inventory/store.js';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';
import { dataPointSchema } from '../schemas.js';

/**
 * Review routes the Privacy Portal needs beside classify/accept (routes/inventory.ts): the inbox's
 * counts, one point's detail with its exception, reject-with-reason (an exception that
 * sticks), mark reviewed, and the data map. Every change is audited per point, in its transaction.
 */

const text = z.string().min(1).max(1024);
const classification = z.enum(['red', 'yellow', 'green']);
const pointKey = { source: text, event: text, path: text };
const exceptionSchema = z.object({
  source: z.string(),
  event: z.string(),
  path: z.string(),
  category: z.string().nullable(),
  recommended: z.string(),
  reason: z.string(),
  actorKeyId: z.string().nullable(),
  actorRole: z.string(),
  createdAt: z.string(),
});

export const reviewRoutes = {
  counts: defineRoute({
    operationId: 'countDataPoints',
    method: 'GET',
    url: '/inventory/counts',
    tag: 'inventory',
    summary: 'Data points of one status (default: the inbox) per effective classification',
    action: 'inventory.read',
    query: z.strictObject({ status: z.enum(['inbox', 'inventory']).default('inbox') }),
    response: {
      status: 200,
      description: 'Counts',
      schema: z.object({ items: z.array(z.object({ status: z.enum(['inbox', 'inventory']), classification, points: z.number().int() })) }),
    },
    errors: [400],
  }),
  point: defineRoute({
    operationId: 'getDataPoint',
    method: 'GET',
    url: '/inventory/point',
    tag: 'inventory',
    summary: 'One data point (masked example) with its review exception, if any',
    action: 'inventory.read',
    query: z.strictObject(pointKey),
    response: { status: 200, description: 'The point', schema: z.object({ point: dataPointSchema, exception: exceptionSchema.nullable() }) },
    errors: [400, 404],
  }),
  map: defineRoute({
    operationId: 'getDataMap',
    method: 'GET',
    url: '/inventory/map',
    tag: 'inventory',
    summary: 'The data map: sources → data points by category → destinations (after controls)',
    action: 'inventory.read',
    response: {
      status: 200,
      description: 'One link per source, category, classification and destination (null: received by none)',
      schema: z.object({
        links: z.array(z.object({ source: z.string(), category: z.string(), classification, destination: z.string().nullable(), points: z.number().int() })),
      }),
    },
  }),
  exceptions: defineRoute({
    operationId: 'listReviewExceptions',
    method: 'GET',
    url: '/inventory/exceptions',
    tag: 'inventory',
    summary: 'Rejections ("not personal data") in force, newest first',
    action: 'inventory.read',
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) }),
    response: { status: 200, description: 'Exceptions', schema: z.object({ items: z.array(exceptionSchema) }) },
    errors: [400],
  }),
  reject: defineRoute({
    operationId: 'rejectDataPoint',
    method: 'POST',
    url: '/inventory/reject',
    tag: 'inventory',
    summary: 'Reject a data point as not personal data: an exception that sticks (green, out of the inbox)',
    description: 'New events with the same evidence leave it rejected; riskier evidence (drift) sends it back to the inbox.',
    action: 'inventory.manage',
    body: z.strictObject({ ...pointKey, reason: z.string().trim().min(1).max(500) }),
    response: { status: 200, description: 'The point and its exception', schema: z.object({ point: dataPointSchema, exception: exceptionSchema }) },
    errors: [400, 404],
    audit: 'inventory.reject',
  }),
  reviewed: defineRoute({
    operationId: 'markDataPointReviewed',
    method: 'POST',
    url: '/inventory/reviewed',
    tag: 'inventory',
    summary: 'Mark a data point reviewed now (periodic review), keeping its classification',
    action: 'inventory.manage',
    body: z.strictObject(pointKey),
    response: { status: 200, description: 'The point after the change', schema: dataPointSchema },
    errors: [400, 404],
    audit: 'inventory.review',
  }),
};

const state = (p: StoredDataPoint | null) =>
  p && { reviewedClassification: p.reviewedClassification, effectiveClassification: p.effectiveClassification, status: p.status, reviewedAt: p.reviewedAt };
const targetId = (k: PointKey) => JSON.stringify([k.source, k.event, k.path]);

export function registerReviewRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, reviewRoutes.counts, async ({ query }) => ({ items: await reviewCounts(ctx.db, query.status) }));
  handle(app, ctx, reviewRoutes.point, async ({ query }) => {
    const point = await getDataPoint(ctx.db, query);
    if (!point) throw notFound('data point');
    return { point, exception: await getException(ctx.db, query) };
  });
  handle(app, ctx, reviewRoutes.map, async () => ({ links: await dataMap(ctx.db) }));
  handle(app, ctx, reviewRoutes.exceptions, async ({ query }) => ({ items: await listExceptions(ctx.db, query) }));
  handle(app, ctx, reviewRoutes.reject, async ({ body, principal, req }) => {
    const { reason, ...key } = body;
    const actor = { keyId: principal.keyId, role: principal.role };
    return ctx.db.transaction(async (tx) => {
      const before = await getDataPoint(tx, key);
      const point = before && (await rejectPoint(tx, key, reason, actor));
      if (!point) throw notFound('data point');
      // The reason is the reviewer's free text: kept with the exception, not in the append-only log.
      await writeAudit(tx, {
        actor,
        action: 'inventory.reject',
        targetType: 'data_point',
        targetId: targetId(key),
        before: state(before),
        after: state(point),
        requestId: req.id,
      });
      return { point, exception: (await getException(tx, key))! };
    });
  });
  handle(app, ctx, reviewRoutes.reviewed, async ({ body, principal, req }) => {
    const actor = { keyId: principal.keyId, role: principal.role };
    return ctx.db.transaction(async (tx) => {
      const before = await getDataPoint(tx, body);
      const after = before && (await markReviewed(tx, body));
      if (!after) throw notFound('data point');
      await writeAudit(tx, {
        actor,
        action: 'inventory.review',
        targetType: 'data_point',
        targetId: targetId(body),
        before: state(before),
        after: state(after),
        requestId: req.id,
      });
      return after;
    });
  });
}
