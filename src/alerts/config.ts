import { z } from 'zod';
import { EnvReferenceError, substituteEnv, type Environment } from '../core/env.js';
import { ConfigError, issueLines, type ConfigIssue } from '../core/errors-config.js';
import { zodIssues } from '../core/zod-issues.js';

/**
 * The `alerts:` section of the engine config. Secrets (webhook URLs, routing keys, signing secrets)
 * may be written as `${ENV_VAR}` references so they stay out of config files. References are
 * resolved once, by `substituteEnv` (src/core/env.ts), where the document is read: the
 * schema below validates resolved values and never resolves them again.
 */

export type Env = Environment;

/** A secret: the error text never includes it. */
const secretString = z.string().min(1);

// Error text is fixed: a webhook URL is itself a credential and must not be echoed.
const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const classification = z.enum(['red', 'yellow', 'green']);
const kind = z.enum(['new', 'drift', 'leak', 'dead_letter']);

const routesSchema = z
  .object({
    classifications: z.array(classification).min(1).default(['red', 'yellow']),
    kinds: z.array(kind).min(1).default(['new', 'drift', 'leak', 'dead_letter']),
  })
  .strict();

const digestSchema = z
  .object({
    windowMs: z.number().int().min(0).default(5000),
    maxItems: z.number().int().min(1).max(500).default(50),
  })
  .strict();

const rateLimitSchema = z.object({ perMinute: z.number().int().min(1).default(30) }).strict();

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
    /**
     * PEM CA certificate trusted for this HTTPS receiver instead of the system roots (a receiver on a
     * private CA). Relative to the config file. Verification itself cannot be turned off.
     */
    caFile: z.string().trim().min(1).optional(),
  };
}

export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

function makeAlertsConfigSchema() {
  const slack = z
    .object({
      ...commonFields(),
      type: z.literal('slack'),
      url: httpUrl,
      /** How many points a digest message lists before "+K more" (Slack allows 50 blocks per message). */
      showItems: z.number().int().min(1).max(20).default(10),
    })
    .strict();
  const webhook = z
    .object({
      ...commonFields(),
      type: z.literal('webhook'),
      url: httpUrl,
      secret: secretString.min(16, 'must be at least 16 characters'),
    })
    .strict();
  const pagerduty = z
    .object({
      ...commonFields(),
      type: z.literal('pagerduty'),
      routingKey: secretString,
      /** Events API v2 endpoint; overridable for EU accounts and for tests. */
      url: httpUrl.default(DEFAULT_PAGERDUTY_URL),
      /** New points of one source within one such window join one incident (dedup_key per source and window). */
      incidentWindowMs: z
        .number()
        .int()
        .min(60_000)
        .max(7 * 86_400_000)
        .default(3_600_000),
    })
    .strict();

  return z
    .object({
      baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
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

/** Validates an `alerts:` section whose `${ENV}` references are already resolved; embed it under `alerts:`. */
export const alertsConfigSchema = makeAlertsConfigSchema();

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;
export type ChannelConfig = AlertsConfig['channels'][number];
export type SlackChannelConfig = Extract<ChannelConfig, { type: 'slack' }>;
export type WebhookChannelConfig = Extract<ChannelConfig, { type: 'webhook' }>;
export type PagerDutyChannelConfig = Extract<ChannelConfig, { type: 'pagerduty' }>;

/** An invalid `alerts:` section: each issue names its field, e.g. `alerts.channels[0].url`; `inFile` adds the file. */
export class AlertsConfigError extends ConfigError {
  override readonly field: string;
  constructor(issues: readonly ConfigIssue[]) {
    super(issueLines(undefined, issues), undefined, issues[0]?.field, { code: 'SLOOM_ERR_ALERTS_CONFIG', issues });
    this.name = 'AlertsConfigError';
    this.field = issues[0]?.field ?? 'alerts';
  }
}

/**
 * A raw `alerts:` section (as read from YAML) to a validated config: `${ENV}` references are
 * resolved from `env` by the config resolver, then the values are validated. Every issue names
 * its field, e.g. `alerts.channels[0].url: …`; none carries a value.
 */
export function parseAlertsConfig(input: unknown, env: Env = process.env, prefix = 'alerts'): AlertsConfig {
  let resolved: unknown;
  try {
    // No file here: callers reading one prefix its name to each issue.
    resolved = substituteEnv(input, env, 'alerts', prefix === '' ? [] : [prefix]);
  } catch (err) {
    if (err instanceof EnvReferenceError) throw new AlertsConfigError([{ field: err.field, message: err.reason }]);
    throw err;
  }
  const result = alertsConfigSchema.safeParse(resolved);
  if (result.success) return result.data;
  throw new AlertsConfigError(zodIssues(result.error, { prefix, schema: alertsConfigSchema, input: resolved }));
}
