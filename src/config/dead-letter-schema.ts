import { z } from 'zod';
import { isDuration, parseDuration } from '../storage/duration.js';
import { int } from './durable-schema.js';

const duration = (min: number) =>
  z
    .string()
    .trim()
    .refine((v) => isDuration(v) && parseDuration(v) !== null && parseDuration(v)! >= min, {
      message: `expected a duration of at least ${min / 1000}s, such as 7d or 12h`,
    });

/** `${VAR:-}` resolves to '' when VAR is unset: an empty value means "not configured". */
const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().min(1).optional());

/**
 * The dead-letter path: where unprocessable events go, kept for replay, so it holds raw personal
 * data. Sealed at rest (see src/pipeline/dead-letter-seal.ts), kept for `retention`, counted and alerted on.
 */
export const deadLetterSchema = z.strictObject({
  topic: z.string().trim().min(1).default('segmentloom.dead-letter'),
  /**
   * `auto` (default): seal records whenever a master key is configured (`masterKeys`, else
   * `storage.masterKeys`, else SEGMENTLOOM_MASTER_KEYS[_FILE]), else write them in clear with a
   * loud warning at start. `required`: refuse to start without a master key. `off`: clear.
   */
  encrypt: z.enum(['auto', 'required', 'off']).default('auto'),
  /** `version:base64key,…`; absent: storage.masterKeys, else the environment. */
  masterKeys: optionalText,
  /**
   * How long dead letters are kept. Kafka: the topic's retention.ms, set when the engine creates
   * the topic and checked at every start (a longer retention is refused). File mode: rotated files
   * older than this are deleted.
   */
  retention: duration(60_000).default('7d'),
  /** File mode: the dead-letter file is rotated (`dead-letter.<time>.ndjson`) when it passes this size. */
  maxFileBytes: int(1024).default(64 * 1024 * 1024),
  /** Alerts on dead letters (through the `alerts` channels): at most one per source and code per interval, carrying the count. */
  alertIntervalMs: int(1_000).default(300_000),
});

export type DeadLetterConfig = z.output<typeof deadLetterSchema>;
export const DEAD_LETTER_DEFAULTS: DeadLetterConfig = deadLetterSchema.parse({});
