import { flatten, PathTrie, type Leaf, type PathNode, type SegmentEvent } from '../../src/events/index.js';
import type { Classification, ClassifierInfo, Detection } from '../../src/detect/types.js';
import { compilePolicies, type EnforcementResult, type PolicyConfigInput, type PolicyEngine } from '../../src/policy/index.js';

/** Literal secrets for tests (the config also accepts `${ENV}` references). */
export const SECRET_V1 = 'test-hmac-secret-version-1';
export const SECRET_V2 = 'test-hmac-secret-version-2';
export const HASHING = {
  keys: [
    { version: 2, secret: SECRET_V2 },
    { version: 1, secret: SECRET_V1 },
  ],
  current: 2,
};

function classifier(id: string, classification: Classification, category: string): ClassifierInfo {
  return { id, name: id, category, classification };
}

/** Classifiers as the detector would report them (ids are what policies select by). */
export const C = {
  email: classifier('email', 'yellow', 'user.contact.email'),
  phone: classifier('phone_number', 'yellow', 'user.contact.phone_number'),
  name: classifier('person_name', 'yellow', 'user.name'),
  ip: classifier('ip_address', 'yellow', 'user.device.ip_address'),
  card: classifier('credit_card_number', 'red', 'user.financial.bank_account'),
  password: classifier('password', 'red', 'user.authorization.password'),
  country: classifier('country', 'green', 'user.contact.address.country'),
};

export type Detect = (node: PathNode, value: Leaf) => Detection | null;

export function detection(info: ClassifierInfo): Detection {
  return { classifier: info, matchedOn: 'key', confidence: 0.9, matcher: `test ${info.id}` };
}

/** Detections by exact path (`properties.user.email`, `properties.emails[]`). */
export function byPath(map: Record<string, ClassifierInfo>): Detect {
  return (node) => (map[node.path] ? detection(map[node.path]!) : null);
}

/** Detections by value (and path), for arrays mixing categories. */
export function byValue(pick: (value: Leaf, path: string) => ClassifierInfo | undefined): Detect {
  return (node, value) => {
    const info = pick(value, node.path);
    return info ? detection(info) : null;
  };
}

export function engineFor(config: PolicyConfigInput): PolicyEngine {
  return compilePolicies(config);
}

export interface Enforced {
  result: EnforcementResult;
  /** Parsed output per destination name (absent: the destination did not receive the event). */
  out: Record<string, Record<string, any>>;
}

/** Walks the event with `flatten` exactly as the pipeline does and enforces it. */
export function enforce(engine: PolicyEngine, event: SegmentEvent, detect: Detect, source = 'web', trie = new PathTrie()): Enforced {
  const run = engine.begin(source, event);
  flatten(trie.root, event, (node, value, container, slot) => run.observe(node, value, container, slot, detect(node, value)));
  const result = run.finish();
  const out: Enforced['out'] = {};
  for (const output of result.outputs) out[output.destination] = JSON.parse(output.json);
  return { result, out };
}

export function track(properties: Record<string, unknown>, context?: Record<string, unknown>): SegmentEvent {
  return { type: 'track', event: 'Order Completed', messageId: 'm-1', userId: 'u-1', properties, ...(context ? { context } : {}) };
}
