/**
 * JSON Schema (draft 2020-12) of the generic webhook body, version `segmentloom.alert.v1`.
 * This is a public contract: v1 only ever gains optional fields; anything else becomes v2 with a new
 * `schema` value. Documented in docs/alerts.md.
 */
export const WEBHOOK_SCHEMA_ID = 'segmentloom.alert.v1';

const classification = { type: 'string', enum: ['red', 'yellow', 'green'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const webhookSchemaV1 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://segmentloom.dev/schemas/segmentloom.alert.v1.json',
  title: 'Segmentloom alert webhook (v1)',
  type: 'object',
  required: ['schema', 'id', 'sentAt', 'alerts'],
  additionalProperties: false,
  properties: {
    schema: { const: WEBHOOK_SCHEMA_ID },
    id: {
      type: 'string',
      pattern: '^msg_[0-9a-f]{32}$',
      description: 'Message id; equals the Idempotency-Key header. Identical on every retry of the same digest.',
    },
    sentAt: { type: 'string', format: 'date-time', description: 'When this attempt was sent.' },
    test: { type: 'boolean', description: 'Present and true only for `segmentloom alerts test`.' },
    alerts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'kind',
          'source',
          'event',
          'path',
          'classification',
          'category',
          'matcher',
          'matchedOn',
          'confidence',
          'example',
          'detectedAt',
          'inboxUrl',
        ],
        properties: {
          id: { type: 'string', pattern: '^al_[0-9a-f]{32}$', description: 'Alert id, stable per signal: dedupe on it.' },
          kind: { type: 'string', enum: ['new', 'drift', 'leak', 'dead_letter'] },
          source: { type: 'string' },
          event: { type: 'string' },
          path: { type: 'string', description: 'Flattened path of the data point, e.g. properties.user.email.' },
          classification,
          category: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'dataCategory'],
            properties: {
              id: { ...nullableString, description: 'Classifier id, e.g. email.' },
              dataCategory: { ...nullableString, description: 'fideslang data category, e.g. user.contact.email.' },
            },
          },
          matcher: { ...nullableString, description: 'Which matcher fired; never contains the value.' },
          matchedOn: { type: ['string', 'null'], enum: ['key', 'value', 'key+value', null] },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
          example: { ...nullableString, description: 'Masked example; never a raw value.' },
          previous: {
            type: 'object',
            description: 'Only for kind=drift: the classification before the drift.',
            additionalProperties: false,
            required: ['category', 'classification'],
            properties: { category: nullableString, classification },
          },
          leak: {
            type: 'object',
            description: 'Only for kind=leak: the destination whose output carried values it is not approved for (verify mode), and how many.',
            additionalProperties: false,
            required: ['destination', 'values'],
            properties: { destination: { type: 'string' }, values: { type: 'integer', minimum: 1 } },
          },
          deadLetter: {
            type: 'object',
            description:
              'Only for kind=dead_letter: events of the source sent to the dead-letter path with this code since the last such alert (path is the code too).',
            additionalProperties: false,
            required: ['code', 'count'],
            properties: { code: { type: 'string' }, count: { type: 'integer', minimum: 1 } },
          },
          detectedAt: { type: 'string', format: 'date-time' },
          inboxUrl: { type: 'string', format: 'uri' },
        },
      },
    },
  },
} as const;

export interface WebhookAlertV1 {
  id: string;
  kind: 'new' | 'drift' | 'leak' | 'dead_letter';
  leak?: { destination: string; values: number };
  deadLetter?: { code: string; count: number };
  source: string;
  event: string;
  path: string;
  classification: 'red' | 'yellow' | 'green';
  category: { id: string | null; dataCategory: string | null };
  matcher: string | null;
  matchedOn: 'key' | 'value' | 'key+value' | null;
  confidence: number;
  example: string | null;
  previous?: { category: string | null; classification: 'red' | 'yellow' | 'green' };
  detectedAt: string;
  inboxUrl: string;
}

export interface WebhookPayloadV1 {
  schema: typeof WEBHOOK_SCHEMA_ID;
  id: string;
  sentAt: string;
  test?: boolean;
  alerts: WebhookAlertV1[];
}
