import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { exportSubject, type SubjectExport } from '../../storage/access.js';
import { exportManifest, exportToNdjson } from '../../storage/portability.js';
import { correctionSchema } from '../../storage/correction.js';
import { REQUEST_TYPES, SubjectRequests, type SubjectSelector } from '../../storage/requests.js';
import { writeAudit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { parseDuration } from '../../storage/duration.js';
import { ApiError, badRequest, conflict, notFound } from '../errors.js';
import { VERIFICATION_HEADER } from '../identity-verification.js';
import { defineRoute, handle } from '../route.js';
import { receiptSchema, subjectExportSchema, subjectRequestSchema } from '../schemas.js';

const IDS = ['userId', 'anonymousId', 'email'] as const;
const identifier = z.string().min(1).max(1024);
const identifierFields = {
  userId: identifier.optional(),
  anonymousId: identifier.optional(),
  email: identifier.refine((s) => s.includes('@'), 'expected an email address').optional(),
};

/** Exactly one identifier names the subject; the error names the field to fix. */
function oneIdentifier(value: Partial<Record<(typeof IDS)[number], string>>, ctx: z.RefinementCtx): void {
  const given = IDS.filter((k) => value[k] !== undefined);
  if (given.length === 1) return;
  ctx.addIssue({ code: 'custom', path: [given[1] ?? 'userId'], message: 'name exactly one of userId, anonymousId or email' });
}

function selectorOf(value: Partial<Record<(typeof IDS)[number], string>>): SubjectSelector {
  if (value.userId !== undefined) return { userId: value.userId };
  if (value.anonymousId !== undefined) return { anonymousId: value.anonymousId };
  return { email: value.email! };
}

function isPeriod(text: string): boolean {
  try {
    return parseDuration(text) !== null;
  } catch {
    return false;
  }
}

const requestParams = z.strictObject({ id: z.uuid('must be a request id (UUID)') });

export const requestRoutes = {
  create: defineRoute({
    operationId: 'createSubjectRequest',
    method: 'POST',
    url: '/requests',
    tag: 'requests',
    summary: 'Create a deletion, suppression or correction request; it runs right after the answer',
    description: 'The identifier is hashed at once and never stored or logged. Poll `GET /requests/{id}` for the status.',
    action: 'requests.create',
    body: z
      .strictObject({
        type: z.enum(REQUEST_TYPES),
        ...identifierFields,
        regulation: z
          .string()
          .min(1)
          .max(32)
          .optional()
          .describe('the regulation the request is answered under (its legal deadline follows); default the configured default, GDPR'),
        correction: correctionSchema
          .optional()
          .describe(
            'CORRECT only: `set` traits to new values, `unset` trait names to remove; profile and stored events are corrected and an identify carries the change to destinations',
          ),
      })
      .superRefine(oneIdentifier)
      .superRefine((value, ctx) => {
        if ((value.type === 'CORRECT') !== (value.correction !== undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: ['correction'],
            message: value.type === 'CORRECT' ? 'a CORRECT request needs a correction' : 'a correction goes with a CORRECT request only',
          });
        }
      }),
    response: { status: 202, description: 'Received', schema: subjectRequestSchema },
    errors: [400],
    audit: 'requests.create',
  }),
  list: defineRoute({
    operationId: 'listSubjectRequests',
    method: 'GET',
    url: '/requests',
    tag: 'requests',
    summary: 'Requests, newest first, filtered and paged by the server',
    action: 'requests.read',
    query: z.strictObject({
      status: z.enum(['RECEIVED', 'RUNNING', 'FINISHED', 'FAILED']).optional(),
      type: z.enum(REQUEST_TYPES).describe('the kind of request').optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    response: {
      status: 200,
      description: 'A page of requests and how many match',
      schema: z.object({ items: z.array(subjectRequestSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
    },
    errors: [400],
  }),
  atRisk: defineRoute({
    operationId: 'listSubjectRequestsAtRisk',
    method: 'GET',
    url: '/requests/at-risk',
    tag: 'requests',
    summary: 'Unfinished requests whose legal deadline falls within a period (overdue ones first)',
    action: 'requests.read',
    query: z.strictObject({
      within: z
        .string()
        .default('7d')
        .refine((v) => isPeriod(v), 'expected a duration such as 7d or 48h'),
    }),
    response: {
      status: 200,
      description: 'Requests at risk, soonest deadline first',
      schema: z.object({ within: z.string(), overdue: z.number().int(), requests: z.array(subjectRequestSchema) }),
    },
    errors: [400],
  }),
  get: defineRoute({
    operationId: 'getSubjectRequest',
    method: 'GET',
    url: '/requests/:id',
    tag: 'requests',
    summary: 'Status of a request',
    action: 'requests.read',
    params: requestParams,
    response: { status: 200, description: 'The request', schema: subjectRequestSchema },
    errors: [400, 404],
  }),
  receipt: defineRoute({
    operationId: 'getSubjectRequestReceipt',
    method: 'GET',
    url: '/requests/:id/receipt',
    tag: 'requests',
    summary: 'Receipt of a finished request: what was removed or suppressed, and where',
    action: 'requests.read',
    params: requestParams,
    response: { status: 200, description: 'The receipt', schema: receiptSchema },
    errors: [400, 404, 409],
  }),
  publicKey: defineRoute({
    operationId: 'getReceiptPublicKey',
    method: 'GET',
    url: '/receipts/public-key',
    tag: 'requests',
    summary: 'The Ed25519 public key receipts are signed with',
    description:
      'Public by design: a regulator or auditor verifies receipts offline with it (`segmentloom requests verify FILE --public-key PEMFILE`). 404 when no signing key is configured.',
    action: 'public',
    response: {
      status: 200,
      description: 'The public key',
      schema: z.object({
        algorithm: z.literal('Ed25519'),
        keyId: z.string().describe('sha256 of the raw public key, as in each receipt signature'),
        publicKey: z.string().describe('PEM (SPKI)'),
      }),
    },
    errors: [404],
  }),
  export: defineRoute({
    operationId: 'exportSubject',
    method: 'GET',
    url: '/subjects/export',
    tag: 'requests',
    summary: 'Everything stored about a data subject, decrypted (right of access)',
    description: 'Returns personal data by design, to owners holding profiles:read; each export is audited (by lookup hash).',
    action: 'subjects.export',
    query: z.strictObject(identifierFields).superRefine(oneIdentifier),
    response: { status: 200, description: 'The export, with a manifest of what it holds', schema: subjectExportSchema },
    errors: [400, 403],
    audit: 'subjects.export',
  }),
  exportNdjson: defineRoute({
    operationId: 'exportSubjectNdjson',
    method: 'GET',
    url: '/subjects/export.ndjson',
    tag: 'requests',
    summary: "A data subject's events as NDJSON in Segment's spec (right of portability)",
    description:
      'One Segment call per line, oldest first, as stored: another service that speaks the Segment spec can import it. Personal data by design; audited like the JSON export.',
    action: 'subjects.export',
    query: z.strictObject(identifierFields).superRefine(oneIdentifier),
    response: { status: 200, description: 'NDJSON, one event per line', contentType: 'application/x-ndjson', schema: z.string() },
    errors: [400, 403],
    audit: 'subjects.export',
  }),
};

/** How close to its deadline an unfinished request counts as at risk, in the metrics. */
const AT_RISK_WITHIN_MS = 7 * 86_400_000;

/** Requests at risk and overdue per regulation, counted on each scrape (labels: configured regulation names only). */
function registerDeadlineMetrics(ctx: ApiContext): void {
  if (ctx.registry.getSingleMetric('segmentloom_requests_at_risk')) return;
  const gauge = (name: string, help: string, pick: 'atRisk' | 'overdue') =>
    new Gauge({
      name,
      help,
      labelNames: ['regulation'],
      registers: [ctx.registry],
      async collect() {
        const counts = await ctx.storage.requests.riskCounts(AT_RISK_WITHIN_MS, ctx.now());
        this.reset();
        for (const regulation of ctx.storage.requests.deadlines.regulations) {
          this.set({ regulation }, counts.find((c) => c.regulation === regulation)?.[pick] ?? 0);
        }
      },
    });
  gauge('segmentloom_requests_at_risk', 'Unfinished data-subject requests whose legal deadline is within 7 days (not yet overdue)', 'atRisk');
  gauge('segmentloom_requests_overdue', 'Unfinished data-subject requests past their legal deadline', 'overdue');
}

export function registerRequestRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerDeadlineMetrics(ctx);
  handle(app, ctx, requestRoutes.create, async ({ body, principal, req }) => {
    const deadlines = ctx.storage.requests.deadlines;
    if (body.regulation !== undefined && !deadlines.regulations.includes(body.regulation)) {
      throw badRequest('regulation', `expected one of ${deadlines.regulations.join(', ')}`);
    }
    const created = await ctx.db.transaction(async (tx) => {
      const request = await new SubjectRequests({ db: tx, hasher: ctx.storage.hasher, dataKeys: ctx.storage.dataKeys, deadlines }).create(
        body.type,
        selectorOf(body),
        {
          regulation: body.regulation,
          correction: body.correction,
        },
      );
      await writeAudit(tx, {
        actor: { keyId: principal.keyId, role: principal.role },
        action: 'requests.create',
        targetType: 'subject_request',
        targetId: request.id,
        before: null,
        after: {
          type: request.type,
          idKind: request.idKind,
          lookupHash: request.lookupHash,
          status: request.status,
          regulation: request.regulation,
          deadlineAt: request.deadlineAt,
          // Names only: corrected values are personal data and stay out of the audit log.
          ...(body.correction ? { fields: [...Object.keys(body.correction.set ?? {}), ...(body.correction.unset ?? [])].sort() } : {}),
        },
        requestId: req.id,
      });
      return request;
    });
    // Run once committed; a failure is recorded on the request (FAILED) and it can be run again.
    const running = ctx.storage.requests
      .run(created.id)
      .catch((err: unknown) => ctx.logger.error({ requestId: created.id, err: err instanceof Error ? err.name : 'error' }, 'subject request run failed'))
      .finally(() => ctx.background.delete(running));
    ctx.background.add(running);
    return created;
  });
  handle(app, ctx, requestRoutes.list, async ({ query }) => ({ ...(await ctx.storage.requests.list(query)), limit: query.limit, offset: query.offset }));
  handle(app, ctx, requestRoutes.atRisk, async ({ query }) => {
    const now = ctx.now();
    const requests = await ctx.storage.requests.atRisk(parseDuration(query.within)!, { now });
    return { within: query.within, overdue: requests.filter((r) => r.deadlineAt !== null && Date.parse(r.deadlineAt) < now.getTime()).length, requests };
  });
  handle(app, ctx, requestRoutes.get, async ({ params }) => {
    const request = await ctx.storage.requests.get(params.id);
    if (!request) throw notFound('request');
    return request;
  });
  handle(app, ctx, requestRoutes.receipt, async ({ params }) => {
    const request = await ctx.storage.requests.get(params.id);
    if (!request) throw notFound('request');
    if (request.status !== 'FINISHED' || !request.receipt)
      throw conflict('not_finished', `the request is ${request.status}; a receipt exists once it is FINISHED`);
    return request.receipt;
  });
  handle(app, ctx, requestRoutes.publicKey, async () => {
    const signer = ctx.storage.receiptSigner;
    if (!signer) throw notFound('receipt signing key (none is configured: receipts are unsigned)');
    return { algorithm: 'Ed25519' as const, keyId: signer.keyId, publicKey: signer.publicKeyPem };
  });
  handle(app, ctx, requestRoutes.export, async ({ query, principal, req }) => {
    if (query.email !== undefined) await verifyEmailExport(ctx, query.email, principal.keyId, req);
    const data = await exportSubject({ db: ctx.db, dataKeys: ctx.storage.dataKeys, hasher: ctx.storage.hasher }, selectorOf(query));
    await auditExport(ctx, data, 'json', principal, req.id);
    return { ...data, manifest: await exportManifest(ctx.db, data) };
  });
  handle(app, ctx, requestRoutes.exportNdjson, async ({ query, principal, req, reply }) => {
    if (query.email !== undefined) await verifyEmailExport(ctx, query.email, principal.keyId, req);
    const data = await exportSubject({ db: ctx.db, dataKeys: ctx.storage.dataKeys, hasher: ctx.storage.hasher }, selectorOf(query));
    await auditExport(ctx, data, 'ndjson', principal, req.id);
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', 'attachment; filename="subject-events.ndjson"')
      .send(exportToNdjson(data));
  });
}

async function auditExport(ctx: ApiContext, data: SubjectExport, format: string, principal: { keyId: string; role: string }, requestId: string): Promise<void> {
  await writeAudit(ctx.db, {
    actor: { keyId: principal.keyId, role: principal.role },
    action: 'subjects.export',
    targetType: 'subject',
    targetId: data.lookupHash,
    before: null,
    after: { idKind: data.idKind, format, subjects: data.subjects.length, events: data.subjects.reduce((n, s) => n + s.events.length, 0) },
    requestId,
  });
}

/** An export by email needs the identity verification hook's yes (see identity-verification.ts). */
async function verifyEmailExport(ctx: ApiContext, email: string, keyId: string, req: FastifyRequest): Promise<void> {
  if (ctx.identityVerifier === null) {
    throw new ApiError(
      403,
      'verification_required',
      'export by email needs an identity verification hook (SEGMENTLOOM_IDENTITY_VERIFY_URL); export by userId instead',
    );
  }
  const subjects = await ctx.storage.requests.resolve({ email });
  const header = req.headers[VERIFICATION_HEADER];
  const evidence = typeof header === 'string' && header !== '' ? header : null;
  if (!(await ctx.identityVerifier({ email, subjects: subjects.length, evidence, requestId: req.id, keyId }))) {
    throw new ApiError(403, 'verification_failed', `the identity verification hook did not confirm the requester (evidence goes in ${VERIFICATION_HEADER})`);
  }
}
