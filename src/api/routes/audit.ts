import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { iterateAudit, listAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { defineRoute, handle } from '../route.js';
import { auditEntrySchema } from '../schemas.js';

const name = z.string().min(1).max(200);
const filterFields = {
  action: name.describe('e.g. keys.create, policies.put').optional(),
  targetType: name.optional(),
  targetId: z.string().min(1).max(1000).optional(),
  actorKeyId: name.optional(),
  since: z.iso.datetime({ offset: true }).describe('inclusive').optional(),
  until: z.iso.datetime({ offset: true }).describe('exclusive').optional(),
  after: z.coerce.number().int().min(0).describe('cursor: entries with a larger id').optional(),
};

export const auditRoutes = {
  list: defineRoute({
    operationId: 'listAudit',
    method: 'GET',
    url: '/audit',
    tag: 'audit',
    summary: 'Audit entries, oldest first, one page at a time',
    action: 'audit.read',
    query: z.strictObject({ ...filterFields, limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: {
      status: 200,
      description: 'A page; pass `next` as `after` for the following one (null: no more)',
      schema: z.object({ items: z.array(auditEntrySchema), next: z.number().int().nullable() }),
    },
    errors: [400],
  }),
  export: defineRoute({
    operationId: 'exportAudit',
    method: 'GET',
    url: '/audit/export',
    tag: 'audit',
    summary: 'Every matching entry as NDJSON (one AuditEntry per line), streamed',
    action: 'audit.read',
    query: z.strictObject(filterFields),
    response: { status: 200, description: 'NDJSON', contentType: 'application/x-ndjson', schema: z.string() },
    errors: [400],
  }),
};

export function registerAuditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, auditRoutes.list, async ({ query }) => {
    const items = await listAudit(ctx.db, query);
    return { items, next: items.length === query.limit ? items[items.length - 1]!.id : null };
  });
  handle(app, ctx, auditRoutes.export, async ({ query, reply }) => {
    const lines = async function* () {
      for await (const entry of iterateAudit(ctx.db, query)) yield `${JSON.stringify(entry)}\n`;
    };
    return reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', 'attachment; filename="audit.ndjson"').send(Readable.from(lines()));
  });
}
