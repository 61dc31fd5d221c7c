import { riskOf, type Detection } from '../detect/index.js';
import { flatten, type Container, type Leaf, type PathNode, type PathTrie } from '../events/index.js';
import type { Controls, PolicyOutcome, WalkHook } from './controls.js';
import type { Failure } from '../events/index.js';
import type { PointMemory } from './point-memory.js';
import { bump, type BatchReport } from './report.js';

/** Plan actions (see policy/plan.ts). */
const PASS = 0;
const HASH = 1;

/** What the policy engine says of a destination's verify mode (CompiledDestination.verify). */
export interface VerifySettings {
  every: number;
  onLeak: 'report' | 'drop_field' | 'dead_letter';
}

interface VerifiedDestination {
  readonly name: string;
  readonly verify?: VerifySettings | null;
}

/** A pseudonym of the policy engine (`hmac:v<version>:<base64url of a SHA-256 HMAC>`). */
const PSEUDONYM = /^hmac:v\d+:[A-Za-z0-9_-]{43}$/;

export const LEAK_CODE = 'leak_detected';

/**
 * Verify mode: after enforcement, a destination's output is parsed again and every value in it is
 * judged as enforcement judges values (detector, red key evidence, point memory, review), with
 * what the engine knows by now: a point learned later in the same event (the second element of
 * an array) or a bug in how outputs are written is caught here. Any value the destination is not
 * approved for (its plan would block, remove or hash it, and it is not a pseudonym) is a leak:
 * counted in the batch report by destination, category and path, and, as configured, removed from
 * the output or the whole event held on the dead-letter path.
 *
 * It costs a JSON.parse and a walk per checked output, so it can be sampled.
 */
export class OutputVerifier {
  private counters = new Int32Array(0);
  private generation = -1;
  private settings: ReadonlyArray<VerifySettings | null> = [];
  private readonly indexOf = new Map<string, number>();
  // The output being checked.
  private controls: Controls | null = null;
  private source = '';
  private key = '';
  private destination = 0;
  private hook: WalkHook | null = null;
  private report: BatchReport | null = null;
  private drop = false;
  private leaks = 0;
  private firstLeak = '';
  private readonly containers: Container[] = [];
  private readonly slots: Array<string | number> = [];

  constructor(
    private readonly trie: PathTrie,
    private readonly memory: PointMemory,
  ) {}

  /** True when some destination of these controls is verified. */
  active(controls: Controls): boolean {
    this.configure(controls);
    return this.settings.length > 0;
  }

  /**
   * Checks the outputs due for a check; returns a dead-letter failure when a `dead_letter`
   * destination leaked, else null (outputs may have been rewritten by `drop_field`).
   */
  check(controls: Controls, source: string, key: string, type: string, outcome: PolicyOutcome, report: BatchReport, hook: WalkHook | null): Failure | null {
    this.configure(controls);
    if (controls.policy.planFor === undefined) return null;
    let failure: Failure | null = null;
    for (const output of outcome.outputs) {
      const d = this.indexOf.get(output.destination);
      if (d === undefined) continue;
      const settings = this.settings[d]!;
      if (settings === null || this.counters[d]!++ % settings.every !== 0 || typeof output.json !== 'string') continue;
      bump(report.verified, output.destination);
      const doc = JSON.parse(output.json) as Record<string, unknown>;
      this.controls = controls;
      this.source = source;
      this.key = key;
      this.destination = d;
      this.hook = hook;
      this.report = report;
      this.drop = settings.onLeak === 'drop_field';
      this.leaks = 0;
      try {
        flatten(this.trie.rootFor(type), doc, this.visit, controls.limits);
        if (this.leaks === 0) continue;
        if (settings.onLeak === 'drop_field') {
          this.removeLeaks();
          (output as { json: string }).json = JSON.stringify(doc);
        } else if (settings.onLeak === 'dead_letter' && failure === null) {
          failure = {
            code: LEAK_CODE,
            reason: `verify: ${this.leaks} value(s) ${output.destination} is not approved for (first: ${this.firstLeak}) got through enforcement; event held`,
          };
        }
      } finally {
        for (let i = 0; i < this.leaks; i++) this.containers[i] = undefined as never;
        this.controls = this.report = this.hook = null;
      }
    }
    return failure;
  }

  private configure(controls: Controls): void {
    if (controls.generation === this.generation) return;
    this.generation = controls.generation;
    const destinations = (controls.policy.destinations ?? []) as ReadonlyArray<VerifiedDestination>;
    const settings = destinations.map((d) => d.verify ?? null);
    this.settings = settings.some((s) => s !== null) ? settings : [];
    this.counters = new Int32Array(destinations.length);
    this.indexOf.clear();
    destinations.forEach((d, i) => this.indexOf.set(d.name, i));
  }

  private readonly visit = (node: PathNode, value: Leaf, container: Container, slot: string | number): void => {
    if (value === null || value === '') return;
    const controls = this.controls!;
    const detector = controls.detector;
    let evidence: Detection | null = detector.detect(node, value, container);
    const key = detector.keyEvidence?.(node, value, container) ?? null;
    if (key !== null && (evidence === null || riskOf(key.classifier.classification) > riskOf(evidence.classifier.classification))) evidence = key;
    const known = this.memory.peek(node, this.key, detector.classifiers);
    if (known !== null && (evidence === null || riskOf(known.classifier.classification) >= riskOf(evidence.classifier.classification))) evidence = known;
    if (this.hook?.review !== undefined) evidence = this.hook.review(node, evidence);
    const plan =
      evidence === null
        ? controls.policy.planFor!(this.source, node, null, 'green')
        : controls.policy.planFor!(this.source, node, evidence.classifier.id, evidence.classifier.classification);
    if (plan.passAll) return;
    const action = plan.sourceBlock ? -1 : (plan.actions[this.destination] ?? PASS);
    if (action === PASS) return;
    if (action === HASH && typeof value === 'string' && PSEUDONYM.test(value)) return;
    // A leak: only now are strings built (the path is schema; the value is never kept).
    const category = evidence === null ? 'unclassified' : evidence.classifier.id;
    const where = `${category} at ${node.path}`;
    if (this.leaks === 0) this.firstLeak = where;
    const classification = evidence === null ? 'green' : evidence.classifier.classification;
    bump(this.report!.leaks, `${this.outputName()}\u0000${this.key}\u0000${category}\u0000${classification}\u0000${node.path}`);
    const i = this.leaks++;
    if (this.drop) {
      this.containers[i] = container;
      this.slots[i] = slot;
    }
  };

  private outputName(): string {
    for (const [name, index] of this.indexOf) if (index === this.destination) return name;
    return '';
  }

  /** Backwards, so removing an array element never shifts one still to be removed. */
  private removeLeaks(): void {
    for (let i = this.leaks - 1; i >= 0; i--) {
      const container = this.containers[i]!;
      if (Array.isArray(container)) container.splice(this.slots[i] as number, 1);
      else delete container[this.slots[i] as string];
    }
  }
}
