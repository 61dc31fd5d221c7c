import type RE2 from 're2';
import type { CompiledClassifier } from './compile.js';

/**
 * How well a value fits a classifier: `valid` (a pattern matched and every validator passed on the
 * match), `shape` (a pattern matched, validators refused), `none` (nothing matched).
 * Under a key of a `keyNeeds: pattern` classifier a pattern must match the whole (trimmed) value:
 * a match on part of it is `none`.
 */
export type ValueVerdict = 'valid' | 'shape' | 'none';

/** Candidates read per pattern; the V8 probe (probe.ts) reads as many, so it refuses only what this refuses. */
export const MAX_CANDIDATES = 8;

/** `mode` picks the patterns: `key` confirms a value under a matching key, `scan` hunts under any key. */
export function checkValue(classifier: CompiledClassifier, text: string, mode: 'key' | 'scan' = 'key'): ValueVerdict {
  const value = classifier.value;
  // minLength and the other prefilters are for scanning; under a matching key the patterns and
  // validators decide (an 8-character token under `api_key` counts).
  if (text.length > value.maxLength || (mode === 'scan' && text.length < value.minLength)) return 'none';
  const extractors = mode === 'key' ? value.extractors : value.scanExtractors;
  const validators = mode === 'key' ? value.keyValidators : value.validators;
  if (extractors.length === 0) {
    if (validators.length === 0) return 'none';
    return passesAll(validators, text.trim()) ? 'valid' : 'none';
  }
  let matched = false;
  if (mode === 'key') {
    const trimmed = text.trim();
    // Under a matching key the whole value usually is the datum (`ip: "10.1.2.3"`): validators are
    // plain code and cheaper than any RE2 call, so they go first.
    if (validators.length > 0 && passesAll(validators, trimmed)) return 'valid';
    const whole = value.wholeMatchers;
    if (whole !== null) {
      // `keyNeeds: pattern`: the value itself must have the shape (`Jane Doe` under `name`, not
      // `user_123`); then it is valid if the validators take a candidate in it.
      if (!matchesAny(whole, trimmed)) return 'none';
      matched = true;
    }
  }
  for (const extractor of extractors) {
    extractor.lastIndex = 0;
    for (let n = 0; n < MAX_CANDIDATES; n++) {
      const match = extractor.exec(text);
      if (match === null) break;
      matched = true;
      if (passesAll(validators, match[0])) return 'valid';
      if (match[0].length === 0) extractor.lastIndex++;
    }
  }
  return matched ? 'shape' : 'none';
}

function matchesAny(matchers: readonly RE2[], text: string): boolean {
  for (const matcher of matchers) if (matcher.test(text)) return true;
  return false;
}

function passesAll(validators: CompiledClassifier['value']['validators'], candidate: string): boolean {
  for (const validator of validators) if (!validator(candidate)) return false;
  return true;
}
