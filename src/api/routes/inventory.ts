import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { inventoryToCsv } from '../../inventory/csv.js';
import { BulkSelectionTooLarge, bulkReview, MAX_BULK_POINTS, type BulkChange } from '../../inventory/bulk.js';
import { addToInventory, countDataPoints, getDataPoint, listDataPoints, setClassification, type ListFilters } from '../../inventory/review.js';
import type { PointKey, StoredDataPoint } from '../../inventory/store.js';
import type { Db } from '../../storage/db.js';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';
import { bulkReviewSchema, dataPointListSchema, dataPointSchema } from '../schemas.js';

const classification = z.enum(['red', 'yellow', 'green']);
const text = z.string().min(1).max(1024);
const filterFields = {
  source: text.optional(),
  event: text.optional(),
  path: text.describe('exact path (the alert inbox links name source, event and path)').optional(),
  classification: classification.describe('effective classification: reviewed, else recommended').optional(),
  category: text.describe('classifier id, or fideslang category (a prefix matches its children)').optional(),
  destination: text.describe('a destination that received the point (after controls)').optional(),
  reviewed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .describe('true: reviewed at least once; false: never')
    .optional(),
  drift: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .describe('true: drifted since its last review (riskier or new category, or values failing validation; docs/portal.md); false: not')
    .optional(),
};
const pageFields = {
  sort: z.enum(['path', 'newest']).describe('path (default): by source, event, path; newest: last seen first').optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
};
const listQuery = z.strictObject({ status: z.enum(['inbox', 'inventory']).optional(), ...filterFields, ...pageFields });
const inboxQuery = z.strictObject({ ...filterFields, ...pageFields });
const exportQuery = z.strictObject({ status: z.enum(['inbox', 'inventory']).optional(), ...filterFields });
const pointKey = { source: text, event: text, path: text };
/** A bulk selection: filters, or a list of points (exactly one of the two). */
const selection = {
  filters: z
    .strictObject({ status: z.enum(['inbox', 'inventory']).optional(), ...filterFields })
    .describe('every point matching all of these (at least one, or all: true)')
    .optional(),
  points: z.array(z.strictObject(pointKey)).min(1).max(MAX_BULK_POINTS).describe('these points').optional(),
  all: z.literal(true).describe('every point (instead of filters or points)').optional(),
  dryRun: z.boolean().describe('count what would change and change nothing (default true: send false to apply)').default(true),
};
const bulkBody = (extra: z.ZodRawShape) =>
  z
    .strictObject({ ...selection, ...extra })
    .refine(
      (b) =>
        [b.filters !== undefined && Object.values(b.filters).some((v) => v !== undefined), b.points !== undefined, b.all === true].filter(Boolean).length === 1,
      {
        message: 'give exactly one of: filters (at least one), points, all: true',
        path: ['filters'],
      },
    );

export const inventoryRoutes = {
  list: defineRoute({
    operationId: 'listInventory',
    method: 'GET',
    url: '/inventory',
    tag: 'inventory',
    summary: 'Data points, filtered (examples are masked)',
    action: 'inventory.read',
    query: listQuery,
    response: { status: 200, description: 'Matching data points', schema: dataPointListSchema },
    errors: [400],
  }),
  inbox: defineRoute({
    operationId: 'listInbox',
    method: 'GET',
    url: '/inventory/inbox',
    tag: 'inventory',
    summary: 'Data points waiting for review: new ones and drifted ones',
    action: 'inventory.read',
    query: inboxQuery,
    response: { status: 200, description: 'Inbox data points', schema: dataPointListSchema },
    errors: [400],
  }),
  exportCsv: defineRoute({
    operationId: 'exportInventoryCsv',
    method: 'GET',
    url: '/inventory/export.csv',
    tag: 'inventory',
    summary: 'The inventory as CSV (RFC 4180, formula cells guarded); owners only',
    action: 'inventory.export',
    query: exportQuery,
    response: { status: 200, description: 'CSV with a header line', contentType: 'text/csv', schema: z.string() },
    errors: [400],
  }),
  classify: defineRoute({
    operationId: 'classifyDataPoint',
    method: 'PUT',
    url: '/inventory/classification',
    tag: 'inventory',
    summary: "Set a data point's reviewed classification",
    action: 'inventory.manage',
    body: z.strictObject({ ...pointKey, classification }),
    response: { status: 200, description: 'The point after the change', schema: dataPointSchema },
    errors: [400, 404],
    audit: 'inventory.classify',
  }),
  accept: defineRoute({
    operationId: 'acceptDataPoint',
    method: 'POST',
    url: '/inventory/accept',
    tag: 'inventory',
    summary: 'Add a data point to the inventory (it leaves the inbox), optionally classifying it',
    action: 'inventory.manage',
    body: z.strictObject({ ...pointKey, classification: classification.optional() }),
    response: { status: 200, description: 'The point after the change', schema: dataPointSchema },
    errors: [400, 404],
    audit: 'inventory.accept',
  }),
  bulkClassify: defineRoute({
    operationId: 'classifyDataPoints',
    method: 'POST',
    url: '/inventory/classification/bulk',
    tag: 'inventory',
    summary: `Set the reviewed classification of every point selected (filters or a list, at most ${MAX_BULK_POINTS}); a dry count unless dryRun is false`,
    action: 'inventory.manage',
    body: bulkBody({ classification }),
    response: { status: 200, description: 'What matched and what changed (or would)', schema: bulkReviewSchema },
    errors: [400],
    audit: 'inventory.classify',
  }),
  bulkAccept: defineRoute({
    operationId: 'acceptDataPoints',
    method: 'POST',
    url: '/inventory/accept/bulk',
    tag: 'inventory',
    summary: `Accept every point selected into the inventory (filters or a list, at most ${MAX_BULK_POINTS}); a dry count unless dryRun is false`,
    action: 'inventory.manage',
    body: bulkBody({ classification: classification.optional() }),
    response: { status: 200, description: 'What matched and what changed (or would)', schema: bulkReviewSchema },
    errors: [400],
    audit: 'inventory.accept',
  }),
};

export function registerInventoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, inventoryRoutes.list, async ({ query }) => page(ctx.db, query));
  handle(app, ctx, inventoryRoutes.inbox, async ({ query }) => page(ctx.db, { ...query, status: 'inbox' }));
  handle(app, ctx, inventoryRoutes.exportCsv, async ({ query, reply }) => {
    const points = await listDataPoints(ctx.db, { ...query, limit: 1_000_000 });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="inventory.csv"').send(inventoryToCsv(points));
  });
  handle(app, ctx, inventoryRoutes.classify, async ({ body, principal, req }) => {
    const { classification: level, ...key } = body;
    return change(ctx.db, key, 'inventory.classify', { keyId: principal.keyId, role: principal.role }, req.id, (tx) => setClassification(tx, key, level));
  });
  handle(app, ctx, inventoryRoutes.accept, async ({ body, principal, req }) => {
    const { classification: level, ...key } = body;
    return change(ctx.db, key, 'inventory.accept', { keyId: principal.keyId, role: principal.role }, req.id, (tx) => addToInventory(tx, key, level));
  });
  handle(app, ctx, inventoryRoutes.bulkClassify, async ({ body, principal, req }) =>
    bulk(
      ctx.db,
      body,
      { kind: 'classify', classification: (body as unknown as { classification: 'red' | 'yellow' | 'green' }).classification },
      'inventory.classify',
      principal,
      req.id,
    ),
  );
  handle(app, ctx, inventoryRoutes.bulkAccept, async ({ body, principal, req }) =>
    bulk(
      ctx.db,
      body,
      { kind: 'accept', classification: (body as unknown as { classification?: 'red' | 'yellow' | 'green' }).classification },
      'inventory.accept',
      principal,
      req.id,
    ),
  );
}

type BulkBody = { filters?: Omit<ListFilters, 'limit' | 'offset'>; points?: PointKey[]; all?: true; dryRun: boolean };

async function bulk(db: Db, body: unknown, changeOf: BulkChange, action: string, principal: { keyId: string; role: string }, requestId: string) {
  const b = body as BulkBody;
  const actor = { keyId: principal.keyId, role: principal.role };
  try {
    return await bulkReview(db, b.points ? { points: b.points } : { filters: b.filters ?? {} }, changeOf, {
      dryRun: b.dryRun,
      onChange: (tx, before, after) =>
        writeAudit(tx, {
          actor,
          action,
          targetType: 'data_point',
          targetId: JSON.stringify([after.source, after.event, after.path]),
          before: reviewState(before),
          after: reviewState(after),
          requestId,
        }),
    });
  } catch (err) {
    if (err instanceof BulkSelectionTooLarge) throw new ApiError(400, 'selection_too_large', `filters: ${err.message}`, 'filters');
    throw err;
  }
}

/** Every filter, `path` included, is applied by the database before LIMIT/OFFSET: pages are pages of matches. */
async function page(db: Db, query: ListFilters & { limit: number; offset: number }) {
  // Side by side: over PostgreSQL's pool the page (an index range) does not wait for the count.
  const [items, totals] = await Promise.all([listDataPoints(db, query), countDataPoints(db, query)]);
  return { items, limit: query.limit, offset: query.offset, totals };
}

/** What the audit log keeps of a point: its review state, not its (masked) example. */
function reviewState(point: StoredDataPoint | null) {
  return (
    point && {
      classification: point.classification,
      reviewedClassification: point.reviewedClassification,
      effectiveClassification: point.effectiveClassification,
      status: point.status,
    }
  );
}

async function change(
  db: Db,
  key: PointKey,
  action: string,
  actor: { keyId: string; role: string },
  requestId: string,
  apply: (tx: Db) => Promise<StoredDataPoint | null>,
): Promise<StoredDataPoint> {
  return db.transaction(async (tx) => {
    const before = await getDataPoint(tx, key);
    if (!before) throw notFound('data point');
    const after = await apply(tx);
    if (!after) throw notFound('data point');
    await writeAudit(tx, {
      actor,
      action,
      targetType: 'data_point',
      targetId: JSON.stringify([key.source, key.event, key.path]),
      before: reviewState(before),
      after: reviewState(after),
      requestId,
    });
    return after;
  });
}
