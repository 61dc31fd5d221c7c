import { z } from 'zod';
import { EnvReferenceError, substituteEnv, type Environment } from '../core/env.js';
import { ConfigError, issueLines, type ConfigIssue } from '../core/errors-config.js';
import { joinField as joinFields, zodIssues } from '../core/zod-issues.js';
import { PathTrie } from '../events/index.js';

/**
 * The privacy-controls section of the engine config. Exported as a zod schema so the engine
 * config can embed it; `parsePolicyConfig` is the standalone entry point that turns zod issues
 * into a PolicyConfigError naming the field. Objects are strict so a typo (`mtach:`) is an error
 * instead of a control that silently does nothing.
 *
 * `${ENV}` references (hashing secrets, typically) are resolved once, by `substituteEnv`
 * (src/core/env.ts), where the raw document is read: by the engine config loader, by the
 * API, or by `parsePolicyConfig`. The schema validates resolved values and never resolves again,
 * so `compilePolicies` on an already-parsed config leaves a secret containing `${X}` as it is.
 */

export type Env = Environment;

export const POLICY_ACTIONS = ['block', 'drop_event', 'hash', 'allow'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

const NAME = /^[A-Za-z0-9_.:-]+$/;
/** HMAC keys shorter than this make pseudonyms guessable by brute-forcing the key. */
export const MIN_SECRET_LENGTH = 16;

const name = z.string().regex(NAME, 'must be letters, digits, "_", ".", ":" or "-"');
const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1);

/** Paths are normalised through the trie so `properties["email"]` and `properties.email` are the same selector. */
const pathSelector = z
  .string()
  .min(1)
  .transform((text, ctx) => {
    try {
      return new PathTrie(1_000).resolve(text).path;
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: text, message: err instanceof Error ? err.message : 'invalid path' });
      return z.NEVER;
    }
  });

const selectorFields = {
  classifications: nonEmptyList(z.enum(['red', 'yellow', 'green'])).optional(),
  categories: nonEmptyList(z.string().min(1)).optional(),
  paths: nonEmptyList(pathSelector).optional(),
};

/** A leaf matches when it satisfies ANY listed selector (union). Unclassified leaves count as `green`. */
const matchSchema = z.strictObject(selectorFields).refine((m) => m.classifications ?? m.categories ?? m.paths, {
  message: 'needs at least one of classifications, categories, paths',
});

const policySchema = z.strictObject({
  name,
  /** Source names this policy applies to; `*` (the default) is every source. */
  sources: nonEmptyList(z.string().min(1)).default(['*']),
  /** Absent: applies at the source, before every destination. Present: only for these destinations. */
  destinations: nonEmptyList(name).optional(),
  match: matchSchema,
  action: z.enum(POLICY_ACTIONS),
  /** Count what the policy would do without changing any event. */
  dryRun: z.boolean().default(false),
});

const destinationSchema = z.strictObject({
  name,
  topic: z.string().min(1),
  /** Allow-list routing: only approved fields reach this destination. Absent: everything the policies leave. */
  allow: z
    .strictObject({ ...selectorFields, dryRun: z.boolean().default(false) })
    .refine((a) => a.classifications ?? a.categories ?? a.paths, { message: 'needs at least one of classifications, categories, paths' })
    .optional(),
  consent: z
    .strictObject({
      /** Consent categories (as in `context.consent.categoryPreferences`) this destination belongs to. */
      categories: z.array(z.string().min(1)).default([]),
      /** A sale/share destination: skipped under do-not-sell or GPC. */
      sale: z.boolean().default(false),
    })
    .optional(),
  /**
   * Verify mode: re-scan this destination's outputs after enforcement and count any value it is
   * not approved for that got through (by category and path). `sample` checks one output in
   * `1 / sampleRate`; `onLeak` says what happens to a leaking output: `report` (count, log, alert),
   * `drop_field` (also remove the value from the output) or `dead_letter` (hold the whole event on
   * the dead-letter path with the reason; no destination receives it).
   */
  verify: z
    .strictObject({
      mode: z.enum(['off', 'sample', 'full']).default('full'),
      sampleRate: z.number().gt(0).max(1).default(0.01),
      onLeak: z.enum(['report', 'drop_field', 'dead_letter']).default('report'),
    })
    .optional(),
});

/** A resolved secret; messages state the rule, never the secret itself. */
const secretSchema = z
  .string()
  .min(1, { abort: true })
  .refine((secret) => secret.length >= MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`);

function hashingSchema() {
  return z
    .strictObject({
      keys: nonEmptyList(z.strictObject({ version: z.number().int().min(1), secret: secretSchema })),
      /** The key version used to hash now; older keys stay so consumers can re-key. */
      current: z.number().int().min(1),
    })
    .superRefine((h, ctx) => {
      const seen = new Set<number>();
      h.keys.forEach((key, i) => {
        if (seen.has(key.version)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'version'], message: `duplicate key version ${key.version}` });
        seen.add(key.version);
      });
      if (!seen.has(h.current)) ctx.addIssue({ code: 'custom', path: ['current'], message: `no key with version ${h.current}` });
    });
}

function makePolicyConfigSchema() {
  return z
    .strictObject({
      hashing: hashingSchema().optional(),
      policies: z.array(policySchema).default([]),
      destinations: z.array(destinationSchema).default([]),
      /** Decision for a consent category the event says nothing about. */
      consentDefault: z.enum(['allow', 'deny']).default('allow'),
    })
    .superRefine((config, ctx) => {
      const destinations = new Set<string>();
      config.destinations.forEach((d, i) => {
        if (destinations.has(d.name)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'name'], message: `duplicate destination "${d.name}"` });
        destinations.add(d.name);
      });
      const policies = new Set<string>();
      config.policies.forEach((p, i) => {
        if (policies.has(p.name)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `duplicate policy "${p.name}"` });
        policies.add(p.name);
        p.destinations?.forEach((d, j) => {
          if (!destinations.has(d)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'destinations', j], message: `unknown destination "${d}"` });
        });
        if (p.action === 'hash' && config.hashing === undefined) {
          ctx.addIssue({ code: 'custom', path: ['hashing'], message: `policy "${p.name}" hashes but no hashing keys are configured` });
        }
      });
    });
}

/** Validates policy sections whose `${ENV}` references are already resolved; embed it in a larger schema. */
export const policyConfigSchema = makePolicyConfigSchema();

/** The validated, env-resolved config (secrets are plain strings here: never log this object). */
export type PolicyConfig = z.output<typeof policyConfigSchema>;
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
export type PolicyDefinition = PolicyConfig['policies'][number];
export type DestinationDefinition = PolicyConfig['destinations'][number];
export type Selectors = z.output<typeof matchSchema>;

/** e.g. `{ field: 'policies[1].match.categories[0]', message: … }` */
export type { ConfigIssue };

/** An invalid policy section: every problem, `field: problem` per line (`inFile` adds the file). */
export class PolicyConfigError extends ConfigError {
  override readonly field: string;
  constructor(issues: readonly ConfigIssue[]) {
    const all = issues.length > 0 ? issues : [{ field: '(root)', message: 'invalid' }];
    super(issueLines(undefined, all), undefined, all[0]!.field, { code: 'SLOOM_ERR_POLICY_CONFIG', issues: all });
    this.name = 'PolicyConfigError';
    this.field = all[0]!.field;
  }
}

export interface ParseOptions {
  /** Where `${ENV}` references are resolved from; default `process.env`. */
  env?: Env | undefined;
  /** Where this config sits when embedded (e.g. `privacy`), so error fields name the full path. */
  fieldPrefix?: string | undefined;
}

/**
 * Raw (e.g. YAML-parsed) policy config to a validated one: `${ENV}` references are resolved from
 * `env` by the config resolver, once, then the values are validated. Throws PolicyConfigError
 * naming the field, never a value. Call it on raw documents only: an already-parsed config goes to
 * `compilePolicies` or `validatePolicyConfig`, which do not resolve again.
 */
export function parsePolicyConfig(raw: unknown, options: ParseOptions = {}): PolicyConfig {
  const prefix = options.fieldPrefix ?? '';
  let resolved: unknown;
  try {
    resolved = substituteEnv(raw ?? {}, options.env ?? process.env, 'policy');
  } catch (err) {
    if (err instanceof EnvReferenceError) throw new PolicyConfigError([{ field: joinFields(prefix, err.field), message: err.reason }]);
    throw err;
  }
  return validatePolicyConfig(resolved, prefix);
}

/** Validates a config whose references are already resolved (nothing is substituted). Throws PolicyConfigError. */
export function validatePolicyConfig(resolved: unknown, fieldPrefix = ''): PolicyConfig {
  const input = resolved ?? {};
  const result = policyConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new PolicyConfigError(zodIssues(result.error, { prefix: fieldPrefix, schema: policyConfigSchema, input }));
}

export function joinField(prefix: string, part: string | number): string {
  if (typeof part === 'number') return `${prefix}[${part}]`;
  return prefix === '' ? part : `${prefix}.${part}`;
}
