import type { Classification } from '../detect/index.js';
import type { Leaf, PathNode } from '../events/index.js';
import { joinField, PolicyConfigError, validatePolicyConfig, type ConfigIssue, type PolicyConfig, type PolicyConfigInput } from './config.js';
import { Pseudonymizer, PolicyHashError } from './hashing.js';
import type { CompiledDestination, CompiledPolicy, CounterInfo, Plan } from './plan.js';
import { SourceView } from './plan.js';
import { PolicyRun, type EnforcementEvent, type RunEngine } from './run.js';
import { Selector } from './selectors.js';

export interface CompileOptions {
  /** Known classifier ids: when given, a policy naming any other category is a config error (a typo would silently protect nothing). */
  categories?: Iterable<string>;
  /** Where this config sits when embedded (e.g. `privacy`), so error fields name the full path. */
  fieldPrefix?: string;
}

// Sources are few (topics, write keys); the cap only defends memory against unbounded source names.
const MAX_CACHED_SOURCES = 1_024;

/**
 * Compiles validated policy config into an engine. Cheap: plans are built lazily per path as
 * events arrive, so a hot reload compiles a new engine while the old one keeps serving the events
 * already in flight (engines share no mutable state). Nothing is resolved here: `${ENV}`
 * references are resolved where a document is read (`parsePolicyConfig`, the config loader), and
 * a resolved secret is used as it is. Throws PolicyConfigError naming the field.
 */
export function compilePolicies(config: PolicyConfigInput | PolicyConfig, options: CompileOptions = {}): PolicyEngine {
  // Validation is idempotent, so an already-validated config (e.g. embedded in the engine config,
  // or sent to a worker thread) is fine here; references were resolved where it was read.
  const parsed = validatePolicyConfig(config, options.fieldPrefix);
  if (options.categories !== undefined) checkCategories(parsed, new Set(options.categories), options.fieldPrefix ?? '');
  return new PolicyEngine(parsed);
}

export class PolicyEngine implements RunEngine {
  readonly destinations: readonly CompiledDestination[];
  readonly policies: readonly CompiledPolicy[];
  /** @internal indexed by dry-run counter slot */
  readonly counters: readonly CounterInfo[];
  readonly consentDefault: 'allow' | 'deny';
  private readonly pseudonymizer: Pseudonymizer | null;
  private readonly views = new Map<string, SourceView>();
  private spare: PolicyRun | null = null;

  /** @internal use compilePolicies */
  constructor(config: PolicyConfig) {
    const destinationIndex = new Map(config.destinations.map((d, i) => [d.name, i]));
    this.policies = config.policies.map((p, index) => ({
      index,
      name: p.name,
      action: p.action,
      dryRun: p.dryRun,
      selector: new Selector(p.match),
      sources: p.sources.includes('*') ? null : new Set(p.sources),
      destinations: p.destinations ? p.destinations.map((d) => destinationIndex.get(d)!) : null,
    }));
    this.destinations = config.destinations.map((d, index) => ({
      index,
      name: d.name,
      topic: d.topic,
      allow: d.allow ? new Selector(d.allow) : null,
      allowDryRun: d.allow?.dryRun ?? false,
      counter: config.policies.length + index,
      consent: d.consent ? { categories: d.consent.categories, sale: d.consent.sale } : null,
      verify:
        d.verify === undefined || d.verify.mode === 'off'
          ? null
          : { every: d.verify.mode === 'full' ? 1 : Math.max(1, Math.round(1 / d.verify.sampleRate)), onLeak: d.verify.onLeak },
    }));
    this.counters = [
      ...this.policies.map((p) => ({ policy: p.name, action: p.action, perEvent: p.action === 'drop_event' })),
      ...this.destinations.map((d) => ({ policy: `destinations.${d.name}.allow`, action: 'remove' as const, perEvent: false })),
    ];
    this.consentDefault = config.consentDefault;
    this.pseudonymizer = config.hashing ? new Pseudonymizer(config.hashing) : null;
  }

  /**
   * Starts enforcing one event. Call `observe` for each leaf (from the flatten visitor), then
   * `finish`. Runs are pooled: a finished run is reused by the next `begin`, so keep only the
   * result of `finish`, not the run.
   */
  begin(source: string, event: EnforcementEvent): PolicyRun {
    const run = this.spare ?? new PolicyRun(this);
    this.spare = null;
    run.start(this.view(source), event);
    return run;
  }

  /** Pseudonym of `value` under key `version` (default: current). For consumers re-keying joins. */
  pseudonymize(value: string | number | boolean, version?: number): string;
  pseudonymize(value: Leaf, version?: number): string | null;
  pseudonymize(value: Leaf, version?: number): string | null {
    if (this.pseudonymizer === null) throw new PolicyHashError('no hashing keys are configured');
    return this.pseudonymizer.pseudonymize(value, version);
  }

  /** The key version hashing uses now, or null without hashing config. */
  get hashKeyVersion(): number | null {
    return this.pseudonymizer?.current ?? null;
  }

  /**
   * What happens to one leaf at the source and in each destination's output (PASS, HASH, BLOCK,
   * REMOVE per destination index): the same cached plan enforcement uses. Read by the inventory
   * to record which destinations actually received a data point.
   */
  planFor(source: string, node: PathNode, category: string | null, classification: Classification): Plan {
    return this.view(source).planFor(node, category, classification);
  }

  /** @internal */
  release(run: PolicyRun): void {
    this.spare = run;
  }

  private view(source: string): SourceView {
    let view = this.views.get(source);
    if (view === undefined) {
      if (this.views.size >= MAX_CACHED_SOURCES) this.views.clear();
      view = new SourceView(source, this.policies, this.destinations);
      this.views.set(source, view);
    }
    return view;
  }
}

function checkCategories(config: PolicyConfig, known: ReadonlySet<string>, prefix: string): void {
  const issues: ConfigIssue[] = [];
  const check = (ids: readonly string[] | undefined, field: string) =>
    ids?.forEach((id, i) => {
      if (!known.has(id)) issues.push({ field: joinField(joinField(prefix, field), i), message: `unknown category "${id}"` });
    });
  config.policies.forEach((p, i) => check(p.match.categories, `policies[${i}].match.categories`));
  config.destinations.forEach((d, i) => check(d.allow?.categories, `destinations[${i}].allow.categories`));
  if (issues.length > 0) throw new PolicyConfigError(issues);
}
