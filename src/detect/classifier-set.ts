import type { CompiledClassifier } from './compile.js';

/** A loaded set of classifiers (see load.ts), and the files it came from. */
export interface ClassifierSet {
  readonly classifiers: readonly CompiledClassifier[];
  /** Files read, in order (for reload watching and messages). */
  readonly files: readonly string[];
}
