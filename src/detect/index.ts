export type { Classification, ClassifierInfo, Detection, MatchedOn, PointDetector } from './types.js';
export { riskOf, CLASSIFICATIONS } from './types.js';
export { Detector, type DetectorOptions, type KeyOutcome } from './detector.js';
export { eventRegion, parseRegion } from './region-hint.js';
export { loadClassifierSet, BUILTIN_CLASSIFIERS_DIR, type ClassifierSet } from './load.js';
export { parseClassifierFile } from './parse-file.js';
export type { CompiledClassifier } from './compile.js';
export { classifierSchema, type ClassifierDefinition } from './classifier-schema.js';
export { VALIDATORS } from './validators/index.js';
export { VALIDATOR_DESCRIPTIONS, type ValidatorDescription } from './validators/descriptions.js';
export { ConfigError } from '../config/errors.js';

import { Detector, type DetectorOptions } from './detector.js';
import type { ClassifierSet } from './load.js';

/** Builds the hot-path detector for a loaded classifier set. */
export function createDetector(set: ClassifierSet, options: DetectorOptions = {}): Detector {
  return new Detector(set.classifiers, options);
}
export { ValueSampling, type SamplingOptions } from './sampling.js';
