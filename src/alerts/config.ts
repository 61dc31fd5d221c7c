import { z } from 'zod';

/**
 * The `alerts:` section of the engine config. Secrets (webhook URLs, routing keys, signing secrets)
 * may be written as `${ENV_VAR}` references so they stay out of config files; references are
 * resolved when the config is parsed and a missing variable is a validation error naming the field.
 */

export type Env = Readonly<Record<string, string | undefined>>;

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A string whose `${VAR}` references are resolved from `env()` at parse time. */
function secretString(env: () => Env) {
  return z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      const missing: string[] = [];
      const value = raw.replace(ENV_REF, (_m, name: string) => {
        const v = env()[name];
        if (v === undefined || v === '') missing.push(name);
        return v ?? '';
      });
      if (missing.length > 0) {
        // Names only: the value (a secret) never goes into the error.
        ctx.addIssue({ code: 'custom', message: `environment variable ${missing.join(', ')} is not set` });
        return z.NEVER;
      }
      return value;
    });
}

function httpUrl(env: () => Env) {
  // Error text is fixed: a webhook URL is itself a credential and must not be echoed.
  return secretString(env).pipe(
    z.string().refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  );
}

const classification = z.enum(['red', 'yellow', 'green']);
const kind = z.enum(['new', 'drift']);

const routesSchema = z
  .object({
    classifications: z.array(classification).min(1).default(['red', 'yellow']),
    kinds: z.array(kind).min(1).default(['new', 'drift']),
  })
  .strict();

const digestSchema = z
  .object({
    windowMs: z.number().int().min(0).default(5000),
    maxItems: z.number().int().min(1).max(500).default(50),
  })
  .strict();

const rateLimitSchema = z
  .object({ perMinute: z.number().int().min(1).default(30) })
  .strict();

const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(5),
    baseMs: z.number().int().min(0).default(500),
    maxMs: z.number().int().min(0).default(60_000),
  })
  .strict();

function commonFields() {
  return {
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, "_", "." or "-"'),
    routes: routesSchema.prefault({}),
    digest: digestSchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    retry: retrySchema.prefault({}),
    /** Per-request timeout: a receiver that never answers must not hold a delivery forever. */
    timeoutMs: z.number().int().min(1).default(10_000),
  };
}

export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

export function makeAlertsConfigSchema(env: () => Env = () => process.env) {
  const slack = z
    .object({
      ...commonFields(),
      type: z.literal('slack'),
      url: httpUrl(env),
      /** How many points a digest message lists before "+K more" (Slack allows 50 blocks per message). */
      showItems: z.number().int().min(1).max(20).default(10),
    })
    .strict();
  const webhook = z
    .object({
      ...commonFields(),
      type: z.literal('webhook'),
      url: httpUrl(env),
      secret: secretString(env).pipe(z.string().min(16, 'must be at least 16 characters')),
    })
    .strict();
  const pagerduty = z
    .object({
      ...commonFields(),
      type: z.literal('pagerduty'),
      routingKey: secretString(env),
      /** Events API v2 endpoint; overridable for EU accounts and for tests. */
      url: httpUrl(env).default(DEFAULT_PAGERDUTY_URL),
    })
    .strict();

  return z
    .object({
      baseUrl: z
        .url({ protocol: /^https?$/ })
        .transform((u) => u.replace(/\/+$/, '')),
      channels: z.array(z.discriminatedUnion('type', [slack, webhook, pagerduty])).default([]),
      outbox: z
        .object({
          /** How often undelivered alerts parked in the outbox are retried. 0 disables the timer. */
          retryIntervalMs: z.number().int().min(0).default(60_000),
        })
        .strict()
        .prefault({}),
    })
    .strict()
    .superRefine((cfg, ctx) => {
      const seen = new Set<string>();
      cfg.channels.forEach((c, i) => {
        if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicate channel name "${c.name}"` });
        seen.add(c.name);
      });
    });
}

/** Resolves `${ENV}` references against process.env when parsed; embed it under `alerts:`. */
export const alertsConfigSchema = makeAlertsConfigSchema();

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;
export type ChannelConfig = AlertsConfig['channels'][number];
export type SlackChannelConfig = Extract<ChannelConfig, { type: 'slack' }>;
export type WebhookChannelConfig = Extract<ChannelConfig, { type: 'webhook' }>;
export type PagerDutyChannelConfig = Extract<ChannelConfig, { type: 'pagerduty' }>;

export class AlertsConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid alerts config:\n  ${issues.join('\n  ')}`);
    this.name = 'AlertsConfigError';
  }
}

/** Parses and validates; every issue names its field, e.g. `alerts.channels[0].url: …`. */
export function parseAlertsConfig(input: unknown, env: Env = process.env, prefix = 'alerts'): AlertsConfig {
  const result = makeAlertsConfigSchema(() => env).safeParse(input);
  if (result.success) return result.data;
  throw new AlertsConfigError(result.error.issues.map((i) => `${formatPath(prefix, i.path)}: ${i.message}`));
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}
