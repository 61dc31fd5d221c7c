import { z } from 'zod';
import { ROLES, SCOPES } from './authz.js';

/**
 * Response shapes (for the OpenAPI document; handlers build them from the storage types). Named
 * schemas are registered in `components` so the document has one definition per shape.
 */
export const components = z.registry<{ id: string }>();
const named = <T extends z.ZodType>(id: string, schema: T): T => {
  components.add(schema, { id });
  return schema;
};

const classification = z.enum(['red', 'yellow', 'green']);
const timestamp = z.string().describe('ISO 8601 timestamp');

export const errorSchema = named(
  'Error',
  z.object({
    error: z.object({
      code: z.string().describe('machine-readable, e.g. invalid_input, not_found, forbidden'),
      message: z.string().describe('names the field and the expectation, never the submitted value'),
      field: z.string().optional().describe('the offending field, e.g. scopes[1] or userId'),
    }),
  }),
);

export const dataPointSchema = named(
  'DataPoint',
  z.object({
    source: z.string(),
    event: z.string(),
    path: z.string(),
    category: z.string().nullable().describe('classifier id'),
    dataCategory: z.string().nullable().describe('fideslang data category'),
    classification: classification.describe('recommended by the detector'),
    reviewedClassification: classification.nullable(),
    effectiveClassification: classification.describe('reviewed, else recommended: what enforcement uses'),
    status: z.enum(['inbox', 'inventory']),
    matchedOn: z.enum(['key', 'value', 'key+value']).nullable(),
    confidence: z.number(),
    matcher: z.string().nullable(),
    count: z.number().int(),
    firstSeen: timestamp,
    lastSeen: timestamp,
    destinations: z.array(z.string()),
    example: z.string().nullable().describe('masked example, never a raw value'),
    reviewedAt: timestamp.nullable(),
    driftedAt: timestamp.nullable().describe('when the evidence last changed (drift); drifted since review while later than reviewedAt'),
    driftReason: z
      .enum(['classification', 'category', 'validation'])
      .nullable()
      .describe('classification: riskier or newly categorised; category: one never carried before; validation: values stopped passing the validator'),
    categories: z
      .array(
        z.object({
          category: z.string().describe('classifier id'),
          dataCategory: z.string().describe('fideslang data category'),
          classification,
          count: z.number().int().describe('values of the point that carried it'),
          lastSeen: timestamp,
        }),
      )
      .optional()
      .describe('every category the point carried, riskiest first; the first is `category`'),
  }),
);

export const pointTotalsSchema = z
  .object({ total: z.number().int(), red: z.number().int(), yellow: z.number().int(), green: z.number().int() })
  .describe('every match (not only this page), per effective classification');

export const dataPointListSchema = named(
  'DataPointList',
  z.object({
    items: z.array(dataPointSchema).describe('red first, then yellow, then green'),
    limit: z.number().int(),
    offset: z.number().int(),
    totals: pointTotalsSchema,
  }),
);

export const bulkReviewSchema = named(
  'BulkReviewResult',
  z.object({
    dryRun: z.boolean(),
    matched: z.number().int(),
    changed: z.number().int().describe('points the change alters (on a dry run: would alter)'),
    missing: z.array(z.object({ source: z.string(), event: z.string(), path: z.string() })).describe('listed points that do not exist'),
    totals: pointTotalsSchema,
  }),
);

export const configVersionSchema = named(
  'ConfigVersion',
  z.object({
    kind: z.enum(['classifier', 'policy']),
    name: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    authorKeyId: z.string().nullable().describe('the API key that wrote it; null from the CLI'),
    createdAt: timestamp,
  }),
);
export const configVersionListSchema = named('ConfigVersionList', z.object({ items: z.array(configVersionSchema) }));

export const classifierSummarySchema = named(
  'ClassifierSummary',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    classification,
    enabled: z.boolean(),
    priority: z.number().int(),
    origin: z.enum(['builtin', 'custom']),
    file: z.string().describe('file name within its directory'),
    overridden: z.boolean().describe('a later directory redefines this id; the later definition is in force'),
  }),
);

export const receiptSchema = named(
  'Receipt',
  z.object({
    requestId: z.string(),
    type: z.enum(['SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS', 'CORRECT']),
    subject: z.string().describe('lookup hash of the named identifier'),
    subjects: z.array(z.string()).describe('subject hashes acted on'),
    removed: z.object({
      dataKeys: z.number().int(),
      events: z.number().int(),
      profiles: z.number().int(),
      identities: z.number().int(),
      inventoryExamples: z.number().int(),
    }),
    suppressed: z.number().int(),
    unsuppressed: z.number().int(),
    where: z.array(z.string()),
    covered: z
      .array(z.object({ subject: z.string(), via: z.enum(['identifier', 'email', 'link']) }))
      .optional()
      .describe(
        'each subject hash acted on and how the request reached it (the identifier named, an email claim, or a link: an anonymousId seen with the person, an alias)',
      ),
    corrected: z
      .object({ profiles: z.number().int(), events: z.number().int(), fields: z.array(z.string()).describe('trait names corrected (never values)') })
      .optional()
      .describe('CORRECT requests: what was corrected'),
    finishedAt: timestamp,
    regulation: z.string().nullable().describe('the regulation the request was answered under'),
    deadline: timestamp.nullable().describe('its legal deadline'),
    signature: z
      .object({ algorithm: z.literal('Ed25519'), keyId: z.string(), value: z.string().describe('base64 Ed25519 signature') })
      .optional()
      .describe('over the canonical JSON (sorted keys) of the rest of the receipt; absent when no signing key is configured'),
  }),
);

export const subjectRequestSchema = named(
  'SubjectRequest',
  z.object({
    id: z.string(),
    type: z.enum(['SUPPRESS', 'DELETE', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS', 'CORRECT']),
    idKind: z.enum(['userId', 'anonymousId', 'email']),
    lookupHash: z.string().describe('HMAC of the identifier; the identifier itself is never stored'),
    status: z.enum(['RECEIVED', 'RUNNING', 'FINISHED', 'FAILED']),
    receivedAt: timestamp,
    regulation: z.string().nullable().describe('the regulation the request is answered under (null: received before deadlines were recorded)'),
    deadlineAt: timestamp.nullable().describe('the legal deadline to finish it by'),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    failure: z.string().nullable(),
    receipt: receiptSchema.nullable(),
    forwardedAt: timestamp.nullable().optional().describe('CORRECT requests: when the engine handed the corrective identify to the pipeline (null: not yet)'),
  }),
);

export const subjectExportSchema = named(
  'SubjectExport',
  z.object({
    generatedAt: timestamp,
    idKind: z.enum(['userId', 'anonymousId', 'email']),
    lookupHash: z.string(),
    subjects: z.array(
      z.object({
        subject: z.string(),
        events: z.array(
          z.object({
            messageId: z.string(),
            event: z.string(),
            type: z.string(),
            timestamp: timestamp.nullable(),
            receivedAt: timestamp,
            expiresAt: timestamp.nullable(),
            payload: z.unknown(),
          }),
        ),
        unreadableEvents: z.number().int(),
        tamperedEvents: z.array(z.number().int()),
        legacyEvents: z.number().int(),
        profile: z.record(z.string(), z.unknown()).nullable(),
        suppressed: z.boolean(),
        inventoryExamples: z.array(z.object({ source: z.string(), event: z.string(), path: z.string(), example: z.string() })),
      }),
    ),
    requests: z.array(subjectRequestSchema),
    manifest: z
      .object({
        generatedAt: timestamp,
        identifier: z.object({ kind: z.enum(['userId', 'anonymousId', 'email']), lookupHash: z.string() }),
        subjects: z.number().int(),
        timeRange: z.object({ from: z.string(), to: z.string() }).nullable(),
        events: z.object({
          total: z.number().int(),
          byType: z.record(z.string(), z.number().int()),
          byName: z.array(z.object({ name: z.string(), count: z.number().int() })),
        }),
        profileTraits: z.array(z.string()),
        categories: z.array(z.object({ category: z.string(), classification: z.string(), paths: z.array(z.string()) })),
        sources: z.array(z.string()),
        withheld: z.object({ unreadable: z.number().int(), tampered: z.number().int() }),
        formats: z.object({ json: z.string(), ndjson: z.string() }),
      })
      .optional()
      .describe('what the export holds, for a person to read: categories of data, sources, time range (portability)'),
  }),
);

export const apiKeySchema = named(
  'ApiKey',
  z.object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: timestamp,
    createdBy: z.string().nullable().describe('key id of the creator; null from the CLI'),
    revokedAt: timestamp.nullable(),
    secrets: z.array(z.object({ createdAt: timestamp, expiresAt: timestamp.nullable() })).describe('live secrets: two while a rotation overlaps'),
  }),
);
export const issuedKeySchema = named(
  'IssuedKey',
  z.object({ key: apiKeySchema, token: z.string().describe('sl_<keyId>_<secret>: shown this once, stored only as a hash') }),
);

export const writeKeySchema = named(
  'WriteKey',
  z.object({
    id: z.string(),
    source: z.string().describe("the source it opens (the inventory's source)"),
    scopes: z.array(z.enum(SCOPES)).describe('always events:write'),
    createdAt: timestamp,
    createdBy: z.string().nullable().describe('key id of the creator; null from the CLI'),
    revokedAt: timestamp.nullable(),
    secrets: z.array(z.object({ createdAt: timestamp, expiresAt: timestamp.nullable() })).describe('live secrets: two while a rotation overlaps'),
  }),
);
export const issuedWriteKeySchema = named(
  'IssuedWriteKey',
  z.object({ key: writeKeySchema, writeKey: z.string().describe('wk_<keyId>_<secret>: shown this once, stored only as a hash') }),
);

export const auditEntrySchema = named(
  'AuditEntry',
  z.object({
    id: z.number().int(),
    at: timestamp,
    actor: z.object({ keyId: z.string().nullable(), role: z.string() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  }),
);
