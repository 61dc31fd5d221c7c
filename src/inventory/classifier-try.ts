import type { Leaf, PathNode } from '../events/index.js';
import type { CompiledClassifier, Detection, Detector, KeyOutcome } from '../detect/index.js';
import { maskValue } from './mask.js';

/**
 * "Which classifier fires on this key and value, and why" — `segmentloom classifiers test` and the
 * portal's try-it box (POST /classifiers/try). The value is only ever shown masked.
 */
export interface SampleVerdict {
  path: string;
  value: string;
  category: string | null;
  classification: 'red' | 'yellow' | 'green';
  matchedOn: string | null;
  confidence: number;
  matcher: string | null;
  /** Why a key match did not stand or was not reported, when it was not. */
  note: string | null;
}

export function explainSample(detector: Detector, node: PathNode, value: Leaf): SampleVerdict {
  const detection = detector.detect(node, value);
  const key = detector.decide(node).key;
  const note = key === null ? null : keyNote(key.classifier, key.matcher, detector.explainKey(node, value), value, detection);
  return {
    path: node.path,
    value: maskValue(value),
    category: detection?.classifier.id ?? null,
    classification: detection?.classifier.classification ?? 'green',
    matchedOn: detection?.matchedOn ?? null,
    confidence: detection?.confidence ?? 0,
    matcher: detection?.matcher ?? null,
    note,
  };
}

/** Why the key's classifier was not reported as matched on the key, or null when it was. */
function keyNote(classifier: CompiledClassifier, matcher: string, outcome: KeyOutcome | null, value: Leaf, detection: Detection | null): string | null {
  const suggests = `key suggests ${classifier.id} (${matcher})`;
  const { key, keyAndValue, threshold, keyNeeds } = classifier.confidence;
  if (outcome === null) return detection === null ? `${suggests} but the value is empty` : null;
  if (outcome === 'contradicts') {
    const type = typeof value;
    const why = !classifier.value.types.has(type as 'string')
      ? `a ${type} is not one of its types (${[...classifier.value.types].join(', ')})`
      : keyNeeds === 'pattern'
        ? 'no value pattern matches the whole value'
        : `no value pattern${classifier.value.keyValidatorNames.length > 0 ? ` passing validator ${classifier.value.keyValidatorNames.join('+')}` : ''} matches it`;
    const found = detection?.classifier.id === classifier.id ? '; found by value instead' : '';
    return `${suggests} but the value contradicts it: ${why}${found}`;
  }
  if (outcome === 'confirms' && keyAndValue < threshold) {
    return `${suggests} and the value agrees, but key+value confidence ${keyAndValue.toFixed(2)} is below the threshold ${threshold.toFixed(2)}${detection === null ? ', as is key-only' : '; reported on key'}`;
  }
  if (outcome === 'stands' && key < threshold) return `${suggests} but key-only confidence ${key.toFixed(2)} is below the threshold ${threshold.toFixed(2)}`;
  return null;
}
