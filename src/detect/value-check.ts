import type { CompiledClassifier } from './compile.js';

/**
 * How well a value fits a classifier: `valid` (a pattern matched and every validator passed on the
 * match), `shape` (a pattern matched, validators refused), `none` (nothing matched).
 */
export type ValueVerdict = 'valid' | 'shape' | 'none';

const MAX_CANDIDATES = 8;

/** `mode` picks the patterns: `key` confirms a value under a matching key, `scan` hunts under any key. */
export function checkValue(classifier: CompiledClassifier, text: string, mode: 'key' | 'scan' = 'key'): ValueVerdict {
  const value = classifier.value;
  // minLength and the other prefilters are for scanning; under a matching key the patterns and
  // validators decide (an 8-character token under `api_key` counts).
  if (text.length > value.maxLength || (mode === 'scan' && text.length < value.minLength)) return 'none';
  const extractors = mode === 'key' ? value.extractors : value.scanExtractors;
  if (extractors.length === 0) {
    if (value.validators.length === 0) return 'none';
    return passesAll(value.validators, text.trim()) ? 'valid' : 'none';
  }
  // Under a matching key the whole value usually is the datum (`ip: "10.1.2.3"`): validators are
  // plain code and cheaper than running the extractors first.
  if (mode === 'key' && value.validators.length > 0 && passesAll(value.validators, text.trim())) return 'valid';
  let matched = false;
  for (const extractor of extractors) {
    extractor.lastIndex = 0;
    for (let n = 0; n < MAX_CANDIDATES; n++) {
      const match = extractor.exec(text);
      if (match === null) break;
      matched = true;
      if (passesAll(value.validators, match[0])) return 'valid';
      if (match[0].length === 0) extractor.lastIndex++;
    }
  }
  return matched ? 'shape' : 'none';
}

function passesAll(validators: CompiledClassifier['value']['validators'], candidate: string): boolean {
  for (const validator of validators) if (!validator(candidate)) return false;
  return true;
}
