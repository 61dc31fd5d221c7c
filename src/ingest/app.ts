import { randomUUID } from 'node:crypto';
import { SegmentloomError, type ApiCode } from '../core/errors.js';
import { createGunzip, createInflate } from 'node:zlib';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Registry } from 'prom-client';
import type { TlsOptions } from '../api/context.js';
import type { Logger } from '../core/logger.js';
import type { EventSink, OutputMessage } from '../events/index.js';
import type { IngestConfig, IngestSourceConfig } from '../config/ingest-schema.js';
import { MessageIdWindow } from './dedup.js';
import { InvalidPayload, MESSAGE_TYPES, recordsOf, type IngestRecord, type MessageType } from './messages.js';
import { Backpressure, BrokerUnavailable, ProduceQueue, withinTime } from './produce-queue.js';
import { TokenBucket } from './rate-limit.js';
import type { SharedMessageIds } from './shared-dedup.js';
import type { WriteKeyPrincipal, WriteKeyStore } from '../api/write-keys.js';

export interface IngestOptions {
  config: IngestConfig;
  /** Where accepted events go; `send` resolves once they are durable (Kafka: acks=all). */
  sink: EventSink;
  writeKeys: Pick<WriteKeyStore, 'verify'>;
  /** The messageId window shared with other ingest processes (second level after this process's own). */
  sharedDedup?: Pick<SharedMessageIds, 'claimIds' | 'settle'> | undefined;
  logger: Logger;
  registry?: Registry | undefined;
  tls?: TlsOptions | undefined;
  /** Clock (epoch millis) for receivedAt, dedup and rate limits; tests move it. */
  now?: (() => number) | undefined;
}

export interface Ingest {
  app: FastifyInstance;
  /** The records waiting for the broker, in bytes (backpressure). */
  queuedBytes(): number;
}

/** An answer other than 200, with a code a client can act on and a message naming what is wrong. */
/** An ingest answer other than success: `code` in the body is one of API_CODES (docs/errors.md). */
class Refusal extends SegmentloomError {
  constructor(
    readonly status: number,
    readonly apiCode: ApiCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super('SLOOM_ERR_API', message);
  }
}

const ACCEPTED = '{"success":true}';

/**
 * Segment's HTTP Tracking API as a fastify instance (not listening: see `startIngest`).
 * Answers: 200 accepted (the broker has every event), 400 a payload that retrying cannot fix,
 * 401/403 the write key or origin, 429 rate limit or backpressure and 503 broker unavailable, both
 * with Retry-After. A bad payload never gets a 5xx: the stock clients retry those forever.
 */
export function buildIngest(options: IngestOptions): Ingest {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const sources = new Map<string, IngestSourceConfig>(config.sources.map((s) => [s.name, s]));
  const buckets = new Map<string, TokenBucket>();
  for (const s of config.sources)
    if (s.rateLimit) buckets.set(s.name, new TokenBucket(s.rateLimit.eventsPerSecond, s.rateLimit.burst ?? s.rateLimit.eventsPerSecond, now));
  const dedup = new MessageIdWindow(config.dedup.maxEntries, config.dedup.windowSeconds * 1000, now);
  const queue = new ProduceQueue(options.sink, config.produce.maxQueuedBytes);
  const counters = ingestCounters(options.registry ?? new Registry());
  const origins = new Set(config.cors.origins);
  const anyOrigin = origins.has('*');
  const retryAfter = config.produce.retryAfterSeconds;

  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    // A hop count is proxy-addr's too; fastify's types just do not list it.
    trustProxy: config.trustProxy as boolean | string[],
    bodyLimit: config.limits.maxBatchBytes,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;

  // Any content type is JSON here: analytics.js sends text/plain (no CORS preflight), others application/json.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new Refusal(400, 'invalid_json', 'body: not valid JSON'), undefined);
    }
  });

  // Content-Encoding: gzip (or deflate) bodies are inflated before the size limits, which count
  // the inflated bytes: a small compressed bomb is as oversize as the body it expands to.
  app.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding === undefined || encoding === '' || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'deflate')
      throw new Refusal(400, 'unsupported_encoding', `content-encoding: ${encoding.slice(0, 20)} is not accepted (gzip, deflate)`);
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    const counted = inflate as typeof inflate & { receivedEncodedLength: number };
    counted.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => (counted.receivedEncodedLength += chunk.length));
    payload.on('error', (err) => inflate.destroy(err));
    inflate.on('error', () => {});
    return payload.pipe(inflate);
  });

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (!anyOrigin && !origins.has(origin)) {
      // A browser would still deliver a text/plain POST; refusing it is what makes the list mean something.
      if (req.method !== 'OPTIONS') throw new Refusal(403, 'origin_not_allowed', 'origin: not allowed to send to this endpoint (ingest.cors.origins)');
      return;
    }
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  });

  // Built per request only when someone reads it: the hot path pays nothing at info level.
  if (logger.isLevelEnabled('debug'))
    app.addHook('onResponse', async (req, reply) => {
      logger.debug(
        { reqId: req.id, route: req.routeOptions.url ?? '(unmatched)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'ingest request',
      );
    });

  app.setErrorHandler((err: FastifyError | Refusal, req, reply) => {
    const refusal = err instanceof Refusal ? err : fromFastify(err);
    if (refusal.status >= 500 && !(err instanceof Refusal)) logger.error({ reqId: req.id, err: err.name }, 'ingest request failed');
    return refuse(reply, refusal);
  });
  app.setNotFoundHandler((req, reply) =>
    refuse(reply, new Refusal(404, 'not_found', `no route ${req.method} for this path (POST /v1/{${MESSAGE_TYPES.join(',')},batch})`)),
  );

  app.options('/v1/*', async (_req, reply) => {
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, Authorization, Content-Encoding')
      .header('access-control-max-age', '86400')
      .code(204)
      .send();
  });

  async function accept(route: MessageType | 'batch', req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const receivedAt = now();
    const principal = await authenticate(req);
    const source = sources.get(principal.source);
    if (source === undefined) throw new Refusal(403, 'source_not_configured', `this write key's source is not configured for ingest (ingest.sources)`);

    let records: IngestRecord[];
    try {
      records = recordsOf(
        route,
        req.body,
        { receivedAt, ip: source.collectIp ? req.ip : null, maxEventBytes: config.limits.maxEventBytes },
        config.limits.maxBatchEvents,
      );
    } catch (err) {
      counters.events.inc({ source: source.name, outcome: 'invalid' });
      if (err instanceof InvalidPayload) throw new Refusal(400, 'invalid_payload', err.message);
      // Whatever else a payload makes us trip on is still the payload's fault: never a retried 5xx.
      logger.warn({ reqId: req.id, err: (err as Error).name }, 'ingest payload not processable');
      throw new Refusal(400, 'invalid_payload', 'the payload could not be processed');
    }

    const bucket = buckets.get(source.name);
    if (bucket) {
      const wait = bucket.take(records.length);
      if (wait > 0) {
        counters.events.inc({ source: source.name, outcome: 'rate_limited' }, records.length);
        throw new Refusal(429, 'rate_limited', `source ${source.name} is over its rate limit`, wait);
      }
    }

    let fresh: OutputMessage[] = [];
    let freshIds: string[] = [];
    let sizes: number[] = [];
    const waits: Promise<void>[] = [];
    const inRequest = new Set<string>();
    let bytes = 0;
    for (const record of records) {
      const state = inRequest.has(record.messageId) ? 'seen' : dedup.check(source.name, record.messageId);
      if (state === 'seen') continue;
      if (state !== 'new') {
        waits.push(state);
        continue;
      }
      inRequest.add(record.messageId);
      fresh.push({ key: record.key, value: record.value });
      freshIds.push(record.messageId);
      sizes.push(record.bytes);
      bytes += record.bytes;
    }

    // Second level: ids other processes accepted, or are producing now. Only ids new here ask the store.
    let elsewhere = 0;
    const shared = options.sharedDedup;
    if (shared !== undefined && freshIds.length > 0) {
      let claim: Awaited<ReturnType<SharedMessageIds['claimIds']>>;
      try {
        claim = await shared.claimIds(source.name, freshIds);
      } catch (err) {
        logger.warn({ reqId: req.id, err: (err as Error).name }, 'ingest dedup store failed');
        throw new Refusal(503, 'unavailable', 'the deduplication store is unavailable; retry later', retryAfter);
      }
      elsewhere = claim.pending;
      if (claim.claimed.length !== freshIds.length) {
        const mine = new Set(claim.claimed);
        const keep = freshIds.map((id) => mine.has(id));
        fresh = fresh.filter((_, i) => keep[i]);
        freshIds = freshIds.filter((_, i) => keep[i]);
        sizes = sizes.filter((_, i) => keep[i]);
        bytes = sizes.reduce((sum, n) => sum + n, 0);
      }
    }
    const duplicates = records.length - fresh.length - waits.length - elsewhere;
    if (duplicates > 0) counters.events.inc({ source: source.name, outcome: 'duplicate' }, duplicates);

    if (fresh.length > 0) {
      let produced = queue.produce(source.topic ?? config.topic, fresh, bytes);
      if (shared !== undefined) {
        const claimed = freshIds;
        // Marked accepted in the store after the answer, not before it: the answer waits for the
        // broker only. Until marked, another process answers a retry 429 in_flight (it retries and
        // finds it accepted); should this process die first, the claim's lease ends and a retry
        // produces it again — a duplicate, never a loss.
        produced = produced.then(
          () => {
            void shared.settle(source.name, claimed, true).catch((err: unknown) => logger.warn({ err: (err as Error).name }, 'ingest dedup settle failed'));
          },
          (err: unknown) => {
            void shared.settle(source.name, claimed, false).catch(() => {});
            throw err;
          },
        );
      }
      produced.catch(() => {});
      dedup.track(source.name, freshIds, produced);
      waits.push(produced);
    }
    try {
      if (waits.length > 0) await withinTime(waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => {}), config.produce.timeoutMs);
    } catch (err) {
      if (err instanceof Backpressure) {
        counters.events.inc({ source: source.name, outcome: 'backpressure' }, fresh.length);
        throw new Refusal(429, 'backpressure', 'the ingest is waiting for the broker; retry later', retryAfter);
      }
      counters.events.inc({ source: source.name, outcome: 'unavailable' }, fresh.length);
      logger.warn({ reqId: req.id, err: err instanceof BrokerUnavailable ? err.message : (err as Error).name }, 'ingest produce failed');
      throw new Refusal(503, 'broker_unavailable', 'the event broker is unavailable; retry later', retryAfter);
    }
    if (elsewhere > 0) {
      // What was ours is produced; the rest another process is producing: the retry finds it accepted there.
      counters.events.inc({ source: source.name, outcome: 'accepted' }, fresh.length);
      counters.events.inc({ source: source.name, outcome: 'in_flight' }, elsewhere);
      throw new Refusal(429, 'in_flight', `${elsewhere} messageId(s) of this request are being accepted by another ingest process; retry later`, 1);
    }
    counters.events.inc({ source: source.name, outcome: 'accepted' }, fresh.length);
    reply.header('content-type', 'application/json; charset=utf-8').send(ACCEPTED);
  }

  async function authenticate(req: FastifyRequest): Promise<WriteKeyPrincipal> {
    const writeKey = presentedKey(req);
    if (writeKey === null)
      throw new Refusal(401, 'unauthorized', 'a write key is required: HTTP Basic with the write key as user name, or writeKey in the body');
    const principal = await options.writeKeys.verify(writeKey);
    if (principal === null) throw new Refusal(401, 'unauthorized', 'the write key is not valid (unknown, revoked, expired or without events:write)');
    return principal;
  }

  for (const route of [...MESSAGE_TYPES, 'batch'] as const) {
    const options = { bodyLimit: route === 'batch' ? config.limits.maxBatchBytes : config.limits.maxEventBytes };
    app.post(`/v1/${route}`, options, (req, reply) => accept(route, req, reply));
    // analytics.js posts to the one-letter forms (/v1/t, /v1/p, … /v1/b), as Segment's API accepts.
    app.post(`/v1/${route[0]}`, options, (req, reply) => accept(route, req, reply));
  }
  return { app, queuedBytes: () => queue.queuedBytes };
}

function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The write key is the user name; the password is empty.
    if (colon <= 0 || colon !== decoded.length - 1) return null;
    return decoded.slice(0, colon);
  }
  const body = req.body as { writeKey?: unknown } | null;
  return body !== null && typeof body === 'object' && typeof body.writeKey === 'string' && body.writeKey !== '' ? body.writeKey : null;
}

function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
  if (refusal.status === 401) reply.header('www-authenticate', 'Basic realm="segmentloom ingest"');
  return reply.code(refusal.status).send({ success: false, code: refusal.apiCode, message: refusal.message });
}

/** fastify's own errors: a body it could not read is the payload's fault (400), never a 5xx. */
function fromFastify(err: FastifyError): Refusal {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Refusal(400, 'too_large', 'body: larger than this endpoint accepts (32 KB per event, 500 KB per batch)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Refusal(400, 'invalid_body', 'body: empty or cut short');
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new Refusal(400, 'invalid_body', 'body: could not be read (bad encoding or framing)');
  return new Refusal(500, 'internal', 'internal error; see the server log');
}

type EventCounter = Counter<'source' | 'outcome'>;

function ingestCounters(registry: Registry): { events: EventCounter } {
  const name = 'segmentloom_ingest_events_total';
  const events =
    (registry.getSingleMetric(name) as EventCounter | undefined) ??
    new Counter({
      name,
      help: 'HTTP ingest events by source and outcome (accepted, duplicate, invalid, rate_limited, backpressure, in_flight, unavailable)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    });
  return { events };
}
