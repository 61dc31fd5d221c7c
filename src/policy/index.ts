/**
 * Privacy controls: per-source and per-destination block / drop_event / hash / allow policies,
 * allow-list routing and consent gating, enforced per event on the hot path.
 *
 *   const config = parsePolicyConfig(raw, { env });   // resolves ${ENV} once; throws PolicyConfigError naming the field
 *   const engine = compilePolicies(config);
 *   const run = engine.begin(source, event);
 *   flatten(trie.root, event, (node, value, container, slot) =>
 *     run.observe(node, value, container, slot, detector.detect(node, value)));
 *   const { dropped, outputs, stats } = run.finish();
 */
export {
  policyConfigSchema,
  parsePolicyConfig,
  validatePolicyConfig,
  PolicyConfigError,
  POLICY_ACTIONS,
  MIN_SECRET_LENGTH,
  type PolicyConfig,
  type PolicyConfigInput,
  type PolicyDefinition,
  type DestinationDefinition,
  type PolicyAction,
  type ConfigIssue,
  type Env,
  type ParseOptions,
} from './config.js';
export { compilePolicies, PolicyEngine, type CompileOptions } from './compile.js';
export {
  PolicyRun,
  type EnforcementEvent,
  type EnforcementResult,
  type EnforcementStats,
  type DestinationOutput,
  type SkippedDestination,
  type DryRunCount,
} from './run.js';
export { Pseudonymizer, PolicyHashError, pseudonymVersion, type HashingKeys } from './hashing.js';
