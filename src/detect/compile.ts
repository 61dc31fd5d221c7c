import RE2 from 're2';
import type { ClassifierDefinition } from './classifier-schema.js';
import type { ClassifierInfo, Detection } from './types.js';
import { VALIDATORS, type Validator } from './validators/index.js';
import { ConfigError } from '../config/errors.js';

export type ValueType = 'string' | 'number' | 'boolean';

/** A classifier ready for the hot path: patterns compiled with RE2, validators resolved, detections prebuilt. */
export interface CompiledClassifier extends ClassifierInfo {
  readonly description: string;
  readonly file: string;
  readonly priority: number;
  readonly enabled: boolean;
  readonly key: ClassifierDefinition['key'];
  readonly value: {
    readonly types: ReadonlySet<ValueType>;
    /** Global-flag copies for extracting candidates. */
    readonly extractors: readonly RE2[];
    readonly patternSources: readonly string[];
    /** Extractors and sources used when scanning values under unrelated keys. */
    readonly scanExtractors: readonly RE2[];
    readonly scanPatternSources: readonly string[];
    /**
     * With `keyNeeds: pattern`: each pattern anchored at both ends (`^(?:…)$`), compiled once, so a
     * key match stands only on a value one of them matches as a whole. Null for other `keyNeeds`.
     */
    readonly wholeMatchers: readonly RE2[] | null;
    readonly validators: readonly Validator[];
    readonly validatorNames: readonly string[];
    /** Validators confirming a value under a matching key (`value.keyValidators`, default `validators`). */
    readonly keyValidators: readonly Validator[];
    readonly keyValidatorNames: readonly string[];
    readonly scan: boolean;
    readonly minLength: number;
    readonly maxLength: number;
    readonly minDigits: number;
    readonly minHexRun: number;
    readonly requireAnyOf: string;
    readonly hints: readonly string[];
    readonly ignoreUnderKeys: readonly string[];
  };
  readonly confidence: ClassifierDefinition['confidence'];
  /** Prebuilt so a value match allocates nothing. */
  readonly valueDetection: Detection;
  /** How a value confirms a key match (`value pattern + validator luhn_keyed`), for explanations. */
  readonly keyValueMatcher: string;
}

/** Turns a validated definition into a compiled classifier. Throws ConfigError naming file and field. */
export function compileClassifier(definition: ClassifierDefinition, file: string, fieldPrefix = ''): CompiledClassifier {
  const compile = (field: 'patterns' | 'scanPatterns', sources: readonly string[], anchored = false) =>
    sources.map((source, i) => {
      try {
        return anchored ? anchor(source) : new RE2(source, 'gu');
      } catch (err) {
        throw new ConfigError(
          `${file}: ${fieldPrefix}value.${field}[${i}]: not a valid RE2 pattern (${(err as Error).message})`,
          file,
          `${fieldPrefix}value.${field}[${i}]`,
        );
      }
    });
  const extractors = compile('patterns', definition.value.patterns);
  const scanPatternSources = definition.value.scanPatterns ?? definition.value.patterns;
  const scanExtractors = definition.value.scanPatterns ? compile('scanPatterns', scanPatternSources) : extractors;
  const wholeMatchers = definition.confidence.keyNeeds === 'pattern' ? compile('patterns', definition.value.patterns, true) : null;
  const resolve = (field: 'validators' | 'keyValidators', names: readonly string[]) =>
    names.map((name, i) => {
      // Own names only: `toString` or `constructor` is not a validator.
      const validator = Object.hasOwn(VALIDATORS, name) ? VALIDATORS[name] : undefined;
      if (validator === undefined) {
        throw new ConfigError(
          `${file}: ${fieldPrefix}value.${field}[${i}]: unknown validator "${name}"; known: ${Object.keys(VALIDATORS).sort().join(', ')}`,
          file,
          `${fieldPrefix}value.${field}[${i}]`,
        );
      }
      return validator;
    });
  const validators = resolve('validators', definition.value.validators);
  const keyValidators = definition.value.keyValidators === undefined ? validators : resolve('keyValidators', definition.value.keyValidators);
  if (definition.value.scan && scanExtractors.length === 0) {
    throw new ConfigError(`${file}: ${fieldPrefix}value.scan: scanning values needs at least one pattern in value.patterns`, file, `${fieldPrefix}value.scan`);
  }
  const { key, value, confidence } = definition;
  if (key.names.length + key.synonyms.length + key.qualified.length === 0 && !value.scan) {
    throw new ConfigError(
      `${file}: ${fieldPrefix}key.names: a classifier needs key names, synonyms or qualified terms, or value.scan with patterns`,
      file,
      `${fieldPrefix}key.names`,
    );
  }
  const info: ClassifierInfo = { id: definition.id, name: definition.name, category: definition.category, classification: definition.classification };
  const describe = (names: readonly string[]) =>
    [extractors.length > 0 ? 'pattern' : '', names.length > 0 ? `validator ${names.join('+')}` : ''].filter(Boolean).join(' + ');
  const how = describe(definition.value.validators);
  return {
    ...info,
    description: definition.description,
    file,
    priority: definition.priority,
    enabled: definition.enabled,
    key,
    value: {
      types: new Set(value.types),
      extractors,
      patternSources: value.patterns,
      scanExtractors,
      scanPatternSources,
      wholeMatchers,
      validators,
      validatorNames: value.validators,
      keyValidators,
      keyValidatorNames: value.keyValidators ?? value.validators,
      scan: value.scan,
      minLength: value.minLength,
      maxLength: value.maxLength,
      minDigits: value.minDigits,
      minHexRun: value.minHexRun,
      requireAnyOf: value.requireAnyOf,
      hints: value.hints,
      ignoreUnderKeys: value.ignoreUnderKeys,
    },
    confidence,
    valueDetection: Object.freeze({ classifier: info, matchedOn: 'value', confidence: confidence.value, matcher: `value ${how}` }),
    keyValueMatcher: `value ${describe(definition.value.keyValidators ?? definition.value.validators)}`,
  };
}

/** The pattern matching only a whole value. Called on sources already compiled unanchored. */
function anchor(source: string): RE2 {
  try {
    return new RE2(`^(?:${source})$`, 'u');
  } catch {
    // The one way a valid pattern fails to wrap: an unterminated `\Q…` quotes to its end (and the
    // unclosed group cannot compile, so no pattern silently changes meaning).
    return new RE2(`^(?:${source}\\E)$`, 'u');
  }
}

/**
 * Whether the classifier takes part in value scanning: `scan: true`, and a value-only decision
 * confident enough to be reported (`confidence.value` at least `confidence.threshold`).
 */
export function scansValues(classifier: CompiledClassifier): boolean {
  return classifier.value.scan && classifier.confidence.value >= classifier.confidence.threshold;
}

/** The shared info object of a compiled classifier (what Detection.classifier points to). */
export function infoOf(classifier: CompiledClassifier): ClassifierInfo {
  return classifier.valueDetection.classifier;
}
