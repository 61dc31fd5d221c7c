import { isDeepStrictEqual } from 'node:util';
import { loadEngineConfig, type EngineConfig } from '../config/load.js';
import type { Environment } from '../core/env.js';
import { ConfigError } from '../config/errors.js';
import { FileWatcher, type WatchTargets } from '../config/watch.js';
import type { Logger } from '../core/logger.js';
import type { ControlsRef } from '../pipeline/controls.js';
import { buildControls } from '../pipeline/build-controls.js';

/** Sections a running engine cannot change: a new value is reported and waits for a restart. */
const RESTART_ONLY = ['source', 'kafka', 'decoding', 'metrics', 'batch', 'files', 'logging', 'storage', 'inventory', 'alerts', 'review'] as const;

export interface HotReloaderOptions {
  initial: EngineConfig;
  ref: ControlsRef;
  logger: Logger;
  env?: Environment;
  /** Overrides the dead-letter target (file mode writes a `dead-letter` file, not a topic). */
  deadLetterTarget?: string;
  onReload?: (result: 'applied' | 'rejected') => void;
  /** Runs after the new controls are built and before they are swapped in (e.g. updates worker threads); a throw rejects the change. */
  apply?: (config: EngineConfig) => Promise<void>;
}

/**
 * Hot reload of classifiers, policies, suppression, limits and the dead-letter target. The new
 * config is loaded and compiled completely before the swap; an invalid change is rejected with a
 * logged reason (file, field, problem; no values) and the last good controls stay in force.
 */
export class HotReloader {
  private config: EngineConfig;
  private readonly watcher: FileWatcher;
  private lastError: string | null = null;

  constructor(private readonly options: HotReloaderOptions) {
    this.config = options.initial;
    this.watcher = new FileWatcher(targetsOf(this.config), () => this.reload().then(() => {}), {
      debounceMs: this.config.reload.debounceMs,
      pollMs: this.config.reload.pollMs,
      onError: (err) => options.logger.error({ err: safeError(err) }, 'config watch failed'),
    });
  }

  /** The config whose controls are in force. */
  get current(): EngineConfig {
    return this.config;
  }

  /** The reason the last reload was rejected, or null. */
  get error(): string | null {
    return this.lastError;
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  /** Checks the watched files now and reloads if they changed. */
  check(): Promise<void> {
    return this.watcher.check();
  }

  async reload(): Promise<'applied' | 'rejected'> {
    const { logger } = this.options;
    let next: EngineConfig;
    try {
      next = await loadEngineConfig(this.config.file, this.options.env);
      const built = await buildControls(next, { deadLetterTarget: this.options.deadLetterTarget });
      await this.options.apply?.(next);
      this.options.ref.swap(built.controls);
      logger.info(
        {
          generation: built.controls.generation,
          classifierFiles: built.classifierFiles.length,
          policies: next.policy.policies.length,
          destinations: next.policy.destinations.length,
        },
        'config reloaded',
      );
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      logger.error({ err: safeError(err) }, 'config change rejected; the last good config stays in force');
      this.options.onReload?.('rejected');
      return 'rejected';
    }
    const watchedBefore = targetsOf(this.config);
    const needRestart: string[] = RESTART_ONLY.filter((key) => !isDeepStrictEqual(this.config[key], next[key]));
    // The suppression lists reload; where they come from (the store, how often) is wired at start.
    const { fromStore, pollIntervalMs } = this.config.suppression;
    if (next.suppression.fromStore !== fromStore || next.suppression.pollIntervalMs !== pollIntervalMs) needRestart.push('suppression.fromStore');
    if (needRestart.length > 0) logger.warn({ sections: needRestart }, 'changed sections take effect after a restart');
    // Keep the restart-only sections of the running process so the next comparison stays honest.
    const kept = { ...next, suppression: { ...next.suppression, fromStore, pollIntervalMs } };
    for (const key of RESTART_ONLY) (kept as Record<string, unknown>)[key] = this.config[key];
    this.config = kept as EngineConfig;
    this.lastError = null;
    // Only when the set of watched places changed: re-fingerprinting otherwise could absorb an
    // edit made while this reload ran.
    const after = targetsOf(next);
    if (!isDeepStrictEqual(watchedBefore, after)) await this.watcher.retarget(after);
    this.options.onReload?.('applied');
    return 'applied';
  }

  close(): void {
    this.watcher.close();
  }
}

function targetsOf(config: EngineConfig): WatchTargets {
  return { files: [config.file, ...(config.policyFile ? [config.policyFile] : [])], dirs: config.classifiers };
}

/** ConfigError messages are written to be safe (file, field, problem); other errors log their class only. */
export function safeError(err: unknown): { name: string; message?: string; file?: string; field?: string } {
  if (err instanceof ConfigError) return { name: err.name, message: err.message, file: err.file, field: err.field };
  return { name: err instanceof Error ? err.name : typeof err };
}
