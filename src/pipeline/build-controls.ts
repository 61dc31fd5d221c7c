import type { EngineConfig } from '../config/load.js';
import { createDetector, loadClassifierSet } from '../detect/index.js';
import { parseRegion } from '../detect/index.js';
import { compilePolicies, PolicyConfigError, type EnforcementStats } from '../policy/index.js';
import type { Controls } from './controls.js';
import { bump2, type BatchReport } from './report.js';
import { StaticSuppression } from '../storage/suppression/check.js';

let generations = 0;

export interface BuiltControls {
  controls: Controls;
  /** Classifier files read (for messages; the watcher watches their directories). */
  classifierFiles: readonly string[];
}

/**
 * Builds everything a hot reload may change from a loaded config: detector (classifier dirs),
 * policy engine, suppression list, limits, dead-letter target. Throws ConfigError naming the file
 * and field; nothing is half-applied because the result is only swapped in when complete.
 */
export async function buildControls(config: EngineConfig, options: { deadLetterTarget?: string } = {}): Promise<BuiltControls> {
  const set = await loadClassifierSet(config.classifiers);
  const sourceRegions = new Map(
    Object.entries(config.sourceRegions ?? {}).flatMap(([source, code]) => {
      const region = parseRegion(code);
      return region === null ? [] : [[source, region] as const];
    }),
  );
  const detector = createDetector(set, { sourceRegions });
  let policy;
  try {
    policy = compilePolicies(config.policy, { categories: set.classifiers.map((c) => c.id) });
  } catch (err) {
    if (err instanceof PolicyConfigError) throw err.inFile(config.policyFile ?? config.file);
    throw err;
  }
  const controls: Controls = {
    generation: ++generations,
    detector,
    policy,
    suppression: new StaticSuppression(config.suppression),
    limits: config.limits,
    deadLetterTarget: options.deadLetterTarget ?? config.deadLetter.topic,
    account: accountStats,
  };
  return { controls, classifierFiles: set.files };
}

/**
 * Blocked/hashed/removed leaves under the policy that caused them (an allow-list's removals under
 * `destinations.<name>.allow`), dry runs as `dry_run_<action>`, skipped destinations per reason.
 */
export function accountStats(raw: unknown, report: BatchReport): void {
  const stats = raw as EnforcementStats;
  for (const applied of stats.applied) bump2(report.actions, applied.policy, applied.action, applied.count);
  for (const dry of stats.dryRun) bump2(report.actions, dry.policy, `dry_run_${dry.action}`, dry.count);
  for (const skip of stats.skipped) bump2(report.skipped, skip.destination, skip.reason);
}
