import { z } from 'zod';
import { DEFAULT_LIMITS } from '../events/index.js';
import { ingestConfigSchema } from './ingest-schema.js';
import { LOG_LEVELS } from '../core/logger.js';
import { bool, checkDurableSections, durableSections, int } from './durable-schema.js';
import { parseRegion } from '../detect/index.js';
import { DEAD_LETTER_DEFAULTS, deadLetterSchema } from './dead-letter-schema.js';

/**
 * The engine's own YAML sections (the policy sections `hashing`, `policies`, `destinations` are
 * validated by the policy engine's schema, see load.ts). Strict objects: a misspelt field is an
 * error naming it, not a silently ignored setting.
 *
 * Values substituted from the environment arrive as strings, so numbers and booleans accept their
 * string spelling too (`port: ${METRICS_PORT}`).
 */

const nonEmpty = z.string().trim().min(1);

/** Accepts a YAML list or a comma-separated string (handy with `${KAFKA_BROKERS}`). */
const stringList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : v,
  z.array(nonEmpty).min(1),
);

const sslSchema = z.union([
  bool,
  z.strictObject({
    /** PEM files; paths are relative to the config file. */
    caFile: nonEmpty.optional(),
    certFile: nonEmpty.optional(),
    keyFile: nonEmpty.optional(),
    passphrase: z.string().optional(),
    rejectUnauthorized: bool.default(true),
    servername: nonEmpty.optional(),
  }),
]);

const saslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({ mechanism: z.literal('plain'), username: nonEmpty, password: z.string() }),
  z.strictObject({ mechanism: z.literal('scram-sha-256'), username: nonEmpty, password: z.string() }),
  z.strictObject({ mechanism: z.literal('scram-sha-512'), username: nonEmpty, password: z.string() }),
]);

const topicSchema = z.union([nonEmpty, z.strictObject({ topic: nonEmpty, source: nonEmpty.optional() })]);

export const kafkaSchema = z.strictObject({
  brokers: stringList,
  clientId: nonEmpty.default('segmentloom'),
  groupId: nonEmpty.default('segmentloom'),
  topics: z.array(topicSchema).min(1),
  fromBeginning: bool.default(false),
  ssl: sslSchema.default(false),
  sasl: saslSchema.optional(),
  connectionTimeoutMs: int(1).default(3000),
  requestTimeoutMs: int(1).default(30000),
  sessionTimeoutMs: int(1).default(30000),
  heartbeatIntervalMs: int(1).default(3000),
  compression: z.enum(['none', 'gzip']).default('none'),
  /**
   * The client that produces the outputs: @platformatic/kafka (idempotent, acks -1). `kafkajs` was
   * retired: its idempotent producer lost acknowledged messages after a partition leader's SIGKILL
   * in the 3-broker fault test (issue 17), and an engine must not trade that for anything.
   */
  producer: z
    .string()
    .superRefine((v, ctx) => {
      if (v === 'platformatic') return;
      // The submitted value is never repeated: only the one known retired name is named.
      ctx.addIssue({
        code: 'custom',
        message:
          v === 'kafkajs'
            ? 'kafkajs was retired (its idempotent producer lost acknowledged messages after a leader failure); remove the setting or use "platformatic"'
            : 'must be "platformatic"',
      });
    })
    .transform(() => 'platformatic' as const)
    .default('platformatic'),
  /**
   * Which client consumes the input: `platformatic` (@platformatic/kafka, maintained, the client
   * the outputs go through; the default) or `kafkajs` (unmaintained since 2023), kept for one
   * release as a fallback and for rolling upgrades (both share a group). Same group semantics.
   */
  consumer: z.enum(['kafkajs', 'platformatic']).default('platformatic'),
  /** Create the output and dead-letter topics at start when missing (needs admin rights). */
  createTopics: z.strictObject({ partitions: int(1).default(1), replicationFactor: int(-1).default(-1) }).optional(),
});

export const decodingSchema = z
  .strictObject({
    format: z.enum(['json', 'confluent']).default('json'),
    registryUrl: z.url().optional(),
    registryAuth: z.strictObject({ username: nonEmpty, password: z.string() }).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.format === 'confluent' && value.registryUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['registryUrl'], message: 'is required when format is "confluent"' });
    }
  });

export const limitsSchema = z.strictObject({
  maxBytes: int(1).default(DEFAULT_LIMITS.maxBytes),
  maxDepth: int(1).default(DEFAULT_LIMITS.maxDepth),
  maxLeaves: int(1).default(DEFAULT_LIMITS.maxLeaves),
});

export const batchSchema = z.strictObject({
  /** Lines per batch when reading a file. */
  size: int(1).default(500),
  /** Kafka fetch size per partition: the unit of work (and of commit) of the loop. */
  maxBytesPerPartition: int(1024).default(2 * 1024 * 1024),
  maxBytes: int(1024).default(16 * 1024 * 1024),
  maxWaitMs: int(0).default(100),
  /** Partitions processed at once by one engine (either consumer); a partition's batches stay in order. */
  partitionsConsumedConcurrently: int(1).default(4),
  /**
   * Worker threads that decode, detect and enforce, so Kafka I/O and processing use different
   * cores (Kafka mode). 0 processes in the consuming thread; `auto` (default) is one worker per
   * core, at most 4, from 2 cores up. With batches pipelined (a partition's next batch is processed
   * while the previous one is produced) and 4 partitions consumed concurrently, 2 workers on a
   * 2-core machine measured ~36k events/s against ~23k in the consuming thread and ~27k with one.
   */
  workers: z.union([z.literal('auto'), int(0)]).default('auto'),
  /** Largest number of messages in one produce request. */
  maxMessagesPerRequest: int(1).default(5000),
  /**
   * Largest produce request, in bytes of keys + values + headers. Keep it under the broker's
   * message.max.bytes (1 MiB by default): kafkajs puts a partition's messages in one record batch.
   */
  maxBytesPerRequest: int(1024).default(900_000),
});

export const engineSectionsSchema = z
  .strictObject({
    /** Source name used for events whose topic has no explicit `source`. */
    source: nonEmpty.default('default'),
    /**
     * Per source name, the country whose national phone formats its events are read in when an
     * event's context (location.country, locale, timezone) does not say: `{ app_tr: TR }`.
     */
    sourceRegions: z
      .record(
        nonEmpty,
        z
          .string()
          .trim()
          .refine((code) => parseRegion(code) !== null, 'must be an ISO 3166 alpha-2 country code with a numbering plan, e.g. TR, GB, PH'),
      )
      .default({}),
    kafka: kafkaSchema.optional(),
    decoding: decodingSchema.default({ format: 'json' }),
    limits: limitsSchema.default(DEFAULT_LIMITS),
    deadLetter: deadLetterSchema.default(DEAD_LETTER_DEFAULTS),
    /** Classifier directories; `builtin` stands for the classifiers shipped with Segmentloom. */
    classifiers: z.array(nonEmpty).default(['builtin']),
    /** A separate YAML file holding the policy sections, watched for changes like this one. */
    policyFile: nonEmpty.optional(),
    /** Database-backed sections (storage, inventory, alerts, review, suppression): see durable-schema.ts. */
    ...durableSections,
    metrics: z.strictObject({ port: int(0), host: nonEmpty.default('0.0.0.0') }).optional(),
    batch: batchSchema.default(batchSchema.parse({})),
    /** The embedded (no Kafka) mode: NDJSON in, one NDJSON file per destination out. */
    files: z.strictObject({ input: nonEmpty.optional(), outDir: nonEmpty.default('out') }).optional(),
    /** Segment's HTTP Tracking API in front of the pipeline (`segmentloom ingest`): see src/config/ingest-schema.ts. */
    ingest: ingestConfigSchema.optional(),
    logging: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).default({ level: 'info' }),
    /** Hot reload: change events are debounced; the poll (0 disables it) covers filesystems whose change events are unreliable. */
    reload: z
      .strictObject({ enabled: bool.default(true), debounceMs: int(0).default(200), pollMs: int(0).default(2000) })
      .default({ enabled: true, debounceMs: 200, pollMs: 2000 }),
  })
  .superRefine(checkDurableSections);

export type EngineSections = z.output<typeof engineSectionsSchema>;
export type KafkaConfig = z.output<typeof kafkaSchema>;
export type DecodingConfig = z.output<typeof decodingSchema>;
export type BatchConfig = z.output<typeof batchSchema>;
export type StorageConfig = z.output<typeof durableSections.storage>;

export const ENGINE_KEYS: ReadonlySet<string> = new Set(Object.keys(engineSectionsSchema.shape));
