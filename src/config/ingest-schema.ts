import { z } from 'zod';
import { bool, int } from '../config/durable-schema.js';
import { ConfigError, issueLines, type ConfigIssue } from '../core/errors-config.js';
import { zodIssues } from '../core/zod-issues.js';

/**
 * The `ingest:` section: Segment's HTTP Tracking API in front of the pipeline. Strict objects, so
 * a misspelt setting is an error naming it. Limits default to Segment's own, which the stock
 * clients already respect.
 */

const nonEmpty = z.string().trim().min(1);

const sourceSchema = z.strictObject({
  /** The source name a write key opens (the inventory's `source`). */
  name: nonEmpty,
  /** Topic this source's events go to; default: `ingest.topic`. */
  topic: nonEmpty.optional(),
  /** Fill `context.ip` from the connection (Segment does, for analytics.js). Off: no address is collected. */
  collectIp: bool.default(false),
  /** Accepted events per second for this source (token bucket); beyond it, 429 with Retry-After. */
  rateLimit: z.strictObject({ eventsPerSecond: int(1), burst: int(1).optional() }).optional(),
});

export const ingestConfigSchema = z
  .strictObject({
    port: int(0).default(8088),
    host: nonEmpty.default('127.0.0.1'),
    /** PEM files. With them the endpoint is HTTPS, TLS 1.2 or newer only; without, plain HTTP (behind a TLS proxy). */
    tls: z.strictObject({ certFile: nonEmpty, keyFile: nonEmpty }).optional(),
    /**
     * Which proxies' X-Forwarded-For to believe for the client address (fastify's trustProxy):
     * false (the connection's peer), true (any: only behind a proxy that overwrites it), a list of
     * addresses/CIDRs, or a hop count.
     */
    trustProxy: z.union([bool, int(1), z.array(nonEmpty).min(1)]).default(false),
    /** The pipeline's input topic (Kafka mode). */
    topic: nonEmpty.default('segment.events'),
    /** Origins analytics.js may send from (exact `https://host[:port]`, or `*`). */
    cors: z.strictObject({ origins: z.array(nonEmpty).default([]) }).default({ origins: [] }),
    sources: z.array(sourceSchema).min(1),
    limits: z
      .strictObject({
        maxEventBytes: int(1).default(32 * 1024),
        maxBatchBytes: int(1).default(500 * 1024),
        maxBatchEvents: int(1).default(2500),
      })
      .default({ maxEventBytes: 32 * 1024, maxBatchBytes: 500 * 1024, maxBatchEvents: 2500 }),
    /**
     * messageIds remembered per source, to drop a client's retries of events already accepted:
     * `maxEntries` in each process's memory, and — `shared`, on a PostgreSQL store in Kafka mode —
     * in the store for every ingest process behind one load balancer.
     */
    dedup: z
      .strictObject({ maxEntries: int(0).default(500_000), windowSeconds: int(1).default(24 * 3600), shared: bool.default(true) })
      .default({ maxEntries: 500_000, windowSeconds: 24 * 3600, shared: true }),
    produce: z
      .strictObject({
        /** An unacknowledged produce answers 503 after this long (the client retries; dedup drops a late success's retry). */
        timeoutMs: int(1).default(5000),
        /** Bytes waiting for the broker before new requests get 429 (backpressure). */
        maxQueuedBytes: int(1).default(64 * 1024 * 1024),
        /** Retry-After on 429 and 503 answers. */
        retryAfterSeconds: int(1).default(5),
      })
      .default({ timeoutMs: 5000, maxQueuedBytes: 64 * 1024 * 1024, retryAfterSeconds: 5 }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.sources.forEach((source, i) => {
      if (seen.has(source.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `source ${source.name} is listed twice` });
      seen.add(source.name);
    });
    config.cors.origins.forEach((origin, i) => {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))
        ctx.addIssue({ code: 'custom', path: ['cors', 'origins', i], message: 'expected * or an origin like https://shop.example (scheme and host, no path)' });
    });
  });

export type IngestConfig = z.output<typeof ingestConfigSchema>;
export type IngestSourceConfig = IngestConfig['sources'][number];

/** An invalid `ingest:` section: each issue names its field (`ingest.sources[0].name`); `inFile` adds the file. */
export class IngestConfigError extends ConfigError {
  constructor(issues: readonly ConfigIssue[]) {
    super(issueLines(undefined, issues), undefined, issues[0]?.field, { code: 'SLOOM_ERR_INGEST_CONFIG', issues });
    this.name = 'IngestConfigError';
  }
}

/** Validates an `ingest:` section; errors name each field (`ingest.sources[0].name: …`). */
export function parseIngestConfig(raw: unknown): IngestConfig {
  const result = ingestConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new IngestConfigError(zodIssues(result.error, { prefix: 'ingest', schema: ingestConfigSchema, input: raw ?? {} }));
}
