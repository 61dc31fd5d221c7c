import { z } from 'zod';
import { ACTIONS } from './authz.js';
import type { RouteSpec } from './route.js';
import { ROUTE_SPECS } from './routes/index.js';
import { components, errorSchema } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas (JSON Schema 2020-12 is
 * OpenAPI 3.1's dialect). Deterministic: docs/openapi.json is this output, and a test compares them.
 * Regenerate with `segmentloom serve --print-openapi --output docs/openapi.json`.
 */

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input: the error names the field',
  401: 'Missing, invalid, expired or revoked API key',
  403: "The key's role or scopes do not permit this",
  429: 'Too many failed authentications from this client address or for this key id; see Retry-After',
  404: 'No such resource',
  409: 'Conflicts with the current state or configuration',
  413: 'Body too large',
  415: 'Unsupported content type',
  502: 'The alert receiver did not accept the test alert',
  503: 'The database does not answer',
};

type Json = Record<string, unknown>;

export function buildOpenApi(specs: readonly RouteSpec[] = ROUTE_SPECS): Json {
  const schemas: Record<string, unknown> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): Json =>
    hoist(z.toJSONSchema(schema, { io, metadata: components, unrepresentable: 'any' }) as Json, schemas);
  const paths: Record<string, Record<string, unknown>> = {};
  convert(errorSchema, 'output');
  for (const spec of specs) {
    const path = spec.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
    const parameters = [...parametersOf(spec.params, 'path', convert), ...parametersOf(spec.query, 'query', convert)];
    const operation: Json = {
      operationId: spec.operationId,
      tags: [spec.tag],
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body
        ? { requestBody: { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: convert(spec.body, 'input') } } } }
        : {}),
      ...(spec.textBody
        ? {
            requestBody: {
              required: true,
              description: spec.textBody.description,
              content: { 'application/yaml': { schema: { type: 'string' } }, 'application/json': { schema: convert(spec.textBody.schema, 'input') } },
            },
          }
        : {}),
      responses: responsesOf(spec, convert),
      security: spec.action === 'public' ? [] : [{ apiKey: [] }],
      'x-segmentloom-authz':
        spec.action === 'public' ? { public: true } : { action: spec.action, roles: ACTIONS[spec.action].roles, scope: ACTIONS[spec.action].scope },
      ...(spec.audit ? { 'x-segmentloom-audit': spec.audit } : {}),
    };
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Segmentloom control-plane API',
      version: '1.0.0',
      description: 'Inventory review, classifiers, policies, data-subject requests, alert tests, API keys and the audit log. See docs/api.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer sl_<keyId>_<secret>' } },
    },
  };
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', convert: (s: z.ZodType, io: 'input') => Json): Json[] {
  if (!schema) return [];
  const json = convert(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function responsesOf(spec: RouteSpec, convert: (s: z.ZodType, io: 'output') => Json): Json {
  const ok = spec.response;
  const contentType = ok.contentType ?? 'application/json';
  const responses: Json = {
    [ok.status]: { description: ok.description, ...(ok.schema ? { content: { [contentType]: { schema: convert(ok.schema, 'output') } } } : {}) },
  };
  const errors = new Set(spec.errors ?? []);
  if (spec.action !== 'public') [401, 403, 429].forEach((s) => errors.add(s));
  for (const status of [...errors].sort()) {
    responses[status] = { description: ERROR_TEXT[status] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return responses;
}

/** Moves `$defs` into components and points `$ref`s there; a name defined twice differently is a bug. */
function hoist(json: Json, schemas: Record<string, unknown>): Json {
  const { $schema: _s, $defs, ...rest } = json;
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    const rewritten = rewriteRefs(def);
    if (id in schemas && JSON.stringify(schemas[id]) !== JSON.stringify(rewritten)) throw new Error(`OpenAPI: schema ${id} has two different definitions`);
    schemas[id] = rewritten;
  }
  return rewriteRefs(rest) as Json;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v)]),
  );
}

/** The document as committed in docs/openapi.json. */
export function openApiText(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}
