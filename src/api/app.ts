import { registerReviewPage } from './review-page.js';
import { randomUUID } from 'node:crypto';
import Fastify, { errorCodes, LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import secureJson from 'secure-json-parse';
import { ERRORS, SegmentloomError, type ApiCode, type ErrorSpec } from '../core/errors.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../detect/index.js';
import { safeErrorLabel } from '../storage/sql.js';
import { createContext, type ApiContext, type ApiOptions } from './context.js';
import { ApiError } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { registerPortal } from '../portal/index.js';
import { registerRoutes } from './routes/index.js';
import { registerSecurityHeaders } from './headers.js';
import { registerAuthThrottle } from './throttle.js';
import { TLS12_CIPHERS } from './tls-policy.js';

export interface Api {
  app: FastifyInstance;
  ctx: ApiContext;
}

/**
 * The control-plane HTTP API as a fastify instance (not listening: see `startApi`). Request logs
 * carry the route pattern, status, timing and key id — never the URL, whose query string can hold
 * a subject identifier (`/subjects/export?email=…`), and never bodies.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  return (await createApi(options)).app;
}

export async function createApi(options: ApiOptions): Promise<Api> {
  const ctx = createContext(options, BUILTIN_CLASSIFIERS_DIR);
  const app = Fastify({
    loggerInstance: options.logger,
    // fastify's own request lines would log the URL; onResponse below logs the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // The surface is exactly the documented routes: no implicit HEAD twins (a HEAD export would still read data).
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.tls
      ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const, ciphers: TLS12_CIPHERS, honorCipherOrder: true } }
      : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  app.decorateRequest('sessionPrincipal', null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  ctx.throttle = await registerAuthThrottle(app, ctx, options.authThrottle);
  await registerSecurityHeaders(app, options.tls !== undefined);
  registerReviewPage(app);

  const requests = requestCounter(options.registry);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '(unmatched)';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.logger.info(
      { reqId: req.id, method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime), keyId: req.principal?.keyId },
      'api request',
    );
  });
  app.addHook('onClose', async () => {
    // Subject requests already answered with 202 finish before the process lets go of the database.
    await Promise.allSettled([...ctx.background]);
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      if (err.status === 401) reply.header('www-authenticate', 'Bearer');
      if (err.headers) reply.headers(err.headers);
      return reply.code(err.status).send(err.toBody());
    }
    // An engine error that reaches the API on its own (no such id, an invalid policy): status and
    // body code from the registry of codes.
    const http = err instanceof SegmentloomError ? (ERRORS[err.code] as ErrorSpec).http : undefined;
    if (http !== undefined) {
      const field = (err as { field?: unknown }).field;
      return reply.code(http.status).send(new ApiError(http.status, http.code as ApiCode, err.message, typeof field === 'string' ? field : undefined).toBody());
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(clientError(err, status, req.headers['content-type']));
    ctx.logger.error({ reqId: req.id, route: req.routeOptions.url, err: safeErrorLabel(err) }, 'api request failed');
    return reply.code(500).send(new ApiError(500, 'internal', 'internal error; see the server log for this request id').toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(new ApiError(404, 'not_found', `no route ${req.method} for this path`).toBody());
  });

  await registerPortal(app, ctx);
  let document: object | undefined;
  await registerRoutes(app, ctx, () => (document ??= buildOpenApi()));
  return { app, ctx };
}

/**
 * fastify's JSON parsing (secure-json-parse, refusing prototype-polluting keys), except that a body
 * refused for such a key says so: it is valid JSON, and "not valid JSON" would send the caller
 * looking for a syntax error.
 */
function parseJsonBody(_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text === '') return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY());
  try {
    done(null, secureJson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
  } catch (err) {
    if (err instanceof SyntaxError && /forbidden prototype property/.test(err.message)) {
      return done(
        new ApiError(
          400,
          'forbidden_key',
          'body: a "__proto__" key, or a "constructor" object with a "prototype" key, is refused (it could pollute object prototypes); rename the key',
          'body',
        ),
      );
    }
    done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY());
  }
}

/** fastify's own 4xx (body parsing, media type, size) in the API's error shape. */
function clientError(err: FastifyError, status: number, contentType: string | undefined) {
  const codes: Record<string, [ApiCode, string | undefined]> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'content-type'],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_body', 'body'],
    FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_body', 'body'],
    FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'body'],
    FST_ERR_CTP_BODY_TOO_LARGE: ['body_too_large', 'body'],
    // The portal's session cookie without its token (src/portal/session.ts).
    FST_CSRF_MISSING_SECRET: ['csrf', 'x-csrf-token'],
    FST_CSRF_INVALID_TOKEN: ['csrf', 'x-csrf-token'],
  };
  const [code, field]: [ApiCode, string | undefined] = codes[err.code] ?? (err instanceof SyntaxError ? ['invalid_json', 'body'] : ['bad_request', undefined]);
  let message = err.message;
  // JSON.parse messages quote part of the body: say what is wrong without repeating it.
  if (code === 'invalid_json') message = 'not valid JSON';
  if (code === 'csrf') message = 'missing or invalid CSRF token for this session: send the token from GET /portal/auth/session';

  if (code === 'unsupported_media_type') {
    const type = /^[\w.+-]+\/[\w.+-]+/.exec(contentType ?? '')?.[0] ?? 'this content type';
    message = `${type} is not accepted here: send application/json (configuration documents: application/yaml or application/json)`;
  }
  return new ApiError(status, code, field ? `${field}: ${message}` : message, field).toBody();
}

function requestCounter(registry: Registry): Counter<'method' | 'route' | 'status'> {
  const name = 'segmentloom_api_requests_total';
  const existing = registry.getSingleMetric(name) as Counter<'method' | 'route' | 'status'> | undefined;
  return (
    existing ??
    new Counter({ name, help: 'Control-plane API requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] })
  );
}
