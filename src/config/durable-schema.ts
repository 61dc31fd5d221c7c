import { z } from 'zod';
import { alertsConfigSchema } from '../alerts/config.js';
import { isDuration, parseDuration } from '../storage/duration.js';
import { DEFAULT_SIDE_RETENTION, retentionConfigSchema } from '../storage/retention.js';

/**
 * The engine sections that need a database: the encrypted event store (`storage`), the shared
 * inventory (`inventory`), its alerts (`alerts`), suppression requests (`suppression.fromStore`)
 * and reviewed classifications (`review`). All optional: without `storage` the engine keeps no
 * state at all, which is what the zero-setup embedded run relies on.
 */

/** Integers and booleans also in their string spelling (values from `${ENV}` references); shared by the config schemas. */
export const int = (min: number) => z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.number().int().min(min));

export const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  return s === 'true' || s === 'yes' || s === '1' ? true : s === 'false' || s === 'no' || s === '0' ? false : v;
}, z.boolean());

/** `${VAR:-}` resolves to '' when VAR is unset: an empty value means "not configured". */
const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().min(1).optional());

export const DEFAULT_POLL_MS = 5_000;

export const storageSchema = z.strictObject({
  /**
   * PostgreSQL connection string (typically `${DATABASE_URL:-}`); absent or empty: embedded PGlite
   * in `dataDir`. The message never echoes the value: it carries a password.
   */
  databaseUrl: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// or postgresql:// URL' }),
  /** PGlite data directory (relative to the config file); default `.segmentloom/data` in the working directory, like the CLI. */
  dataDir: optionalText,
  /** Schema to create and use; default the connection's default (public). */
  schema: optionalText.refine((v) => v === undefined || /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(v), { message: 'must be a plain SQL identifier' }),
  /** `version:base64key,…`; absent: SEGMENTLOOM_MASTER_KEYS[_FILE] from the environment. */
  masterKeys: optionalText,
  /** base64, 32+ bytes; absent: SEGMENTLOOM_LOOKUP_KEY[_FILE] from the environment. */
  lookupKey: optionalText,
  retention: retentionConfigSchema.default({ default: '365d', events: {}, ...DEFAULT_SIDE_RETENTION, from: 'received' }),
  /** The engine sweeps expired events itself (one engine at a time); false leaves it to `segmentloom retention sweep` from cron. */
  retentionSweep: z
    .union([
      z.literal(false),
      z.strictObject({
        every: z
          .string()
          .refine((v) => isDuration(v) && parseDuration(v) !== null && parseDuration(v)! >= 1_000, {
            message: 'expected a duration of at least 1s, such as 1h or 15m',
          })
          .default('1h'),
        batchSize: z.number().int().min(1).max(100_000).default(1_000),
      }),
    ])
    .default({ every: '1h', batchSize: 1_000 }),
  /**
   * How often a Kafka engine hands finished corrections (CORRECT requests) to the pipeline, as an
   * identify on its first input topic: the change reaches destinations through the same controls
   * as any event. false: another engine does it.
   */
  correctionRelayMs: z.union([z.literal(false), int(100)]).default(DEFAULT_POLL_MS),
});

export const inventorySchema = z.strictObject({
  /** Observations are folded in memory and written at least this often (never per event). */
  flushIntervalMs: int(10).default(5_000),
  /** Distinct (source, event name) pairs recorded; points of further names go under "(other event names)". */
  maxEventNames: int(1).default(50_000),
  /**
   * How often points other engine processes classified are read into this engine's point memory
   * (every value at a classified point is controlled as its classification). Loaded in full at start.
   */
  pointMemoryPollMs: int(100).default(DEFAULT_POLL_MS),
});

export const reviewSchema = z.strictObject({
  /** How often reviewed classifications are re-read; a change applies from the next batch. */
  pollIntervalMs: int(100).default(DEFAULT_POLL_MS),
});

export const suppressionSchema = z
  .strictObject({
    userIds: z.array(z.string()).default([]),
    anonymousIds: z.array(z.string()).default([]),
    /** Also drop subjects with a SUPPRESS request in the store (polled; the lists above still apply). */
    fromStore: bool.default(false),
    pollIntervalMs: int(100).default(DEFAULT_POLL_MS),
  })
  .default({ userIds: [], anonymousIds: [], fromStore: false, pollIntervalMs: DEFAULT_POLL_MS });

export const durableSections = {
  storage: storageSchema.optional(),
  inventory: inventorySchema.optional(),
  alerts: alertsConfigSchema.optional(),
  review: reviewSchema.optional(),
  suppression: suppressionSchema,
};

interface DurableShape {
  storage?: unknown;
  inventory?: unknown;
  alerts?: unknown;
  review?: unknown;
  suppression: { fromStore: boolean };
}

/** Sections that read or write the database need `storage`; alerts are raised by the inventory. */
export function checkDurableSections(value: DurableShape, ctx: z.RefinementCtx): void {
  const needStorage = (present: boolean, path: (string | number)[], what: string) => {
    if (present && value.storage === undefined)
      ctx.addIssue({ code: 'custom', path, message: `${what} needs the storage section (the database it reads and writes)` });
  };
  needStorage(value.inventory !== undefined, ['inventory'], 'the shared inventory');
  needStorage(value.review !== undefined, ['review'], 'reviewed classifications');
  needStorage(value.suppression.fromStore, ['suppression', 'fromStore'], 'suppression from the store');
  if (value.alerts !== undefined && value.inventory === undefined) {
    ctx.addIssue({ code: 'custom', path: ['alerts'], message: 'alerts need the inventory section (new data points are found by the shared inventory)' });
  }
}
