import type { Container, Leaf, PathNode } from '../events/index.js';
import { scansValues, type CompiledClassifier } from './compile.js';
import { KeyMatcher, type KeyMatch } from './key-matcher.js';
import { splitWords } from './key-words.js';
import { riskOf, type ClassifierInfo, type Detection, type PointDetector } from './types.js';
import { checkValue, type ValueVerdict } from './value-check.js';
import { ValueScanner } from './value-scanner.js';
import { FreeTextScanner } from './free-text.js';
import { eventRegion, otherEventRegions } from './region-hint.js';
import { PAIR_NAME_KEYS, SIBLING_LAT, SIBLING_PAIR, coordinatePartner, siblingKind, type SiblingKind } from './sibling.js';
import { setEventPhoneRegion } from './validators/phone.js';
import { setEventIdRegion } from './validators/national/index.js';
import type { CountryCode } from 'libphonenumber-js/max';

/** Everything decided about a path once, then reused for every value seen there. */
interface PathDecision {
  key: KeyMatch<CompiledClassifier> | null;
  /** Reported when the key match stands on its own; null when `confidence.key` is below the threshold. */
  keyOnly: Detection | null;
  /**
   * Reported when the value confirms the key match: key+value, or (when `confidence.keyAndValue` is
   * below the threshold) the key-only decision, or null when that is below it too.
   */
  keyAndValue: Detection | null;
  /** Classifiers whose value matches are not believed under this key. */
  skip: ReadonlySet<CompiledClassifier> | null;
  /** Whether values here may be prose worth reading for cue words (not a user agent, URL, id or version). */
  text: boolean;
  /** Whether the key names a field of prose (comment, message, note…): only there are names tagged. */
  prose: boolean;
  /** Recent verdicts of the key's classifier on values (shared by every path that classifier's key matches). */
  verdicts: Map<string, ValueVerdict> | null;
  /** The last value seen here and its decision: constant fields (library, page title) cost one compare. */
  lastValue: Leaf | undefined;
  lastDetection: Detection | null;
  /** Enforcement's key evidence (see keyEvidence): the red classifier the key names. */
  keyControl: Detection | null;
  /** The event regions lastDetection was decided in (a null there may not hold in other regions). */
  lastRegion: string | null;
  /**
   * Recent string values found clean here (see recallClean), or null before the first. Each with
   * ANY_REGION, or the event regions (regionKey) it was found clean in and, in `cleanDay`, the day.
   */
  clean: Map<string, CleanIn> | null;
  /** Values missed by `clean` since its last hit; -1 once it is off here (values that do not repeat). */
  cleanMisses: number;
  /** The UTC day the region-bound entries of `clean` were decided on. */
  cleanDay: number;
  /** What the leaf's siblings may say about it (see sibling.ts): 0 nothing, else a SIBLING_* kind. */
  sibling: SiblingKind;
  /** For a name/value pair's value slot: decisions per sibling name, bounded (see pairDecision). */
  pairs: Map<string, PathDecision> | null;
}

export interface DetectorOptions {
  /** Region (ISO 3166 alpha-2) for national-format phone numbers per source name, when the event does not say. */
  sourceRegions?: ReadonlyMap<string, CountryCode>;
}

/** What a value does to the key match at its path. */
export type KeyOutcome = 'confirms' | 'stands' | 'contradicts';

let nextGeneration = 0;
/** Sibling names longer than this are not keys (a sentence in `label`). */
const MAX_PAIR_NAME = 64;
/** Distinct sibling names remembered per pair path before the memo is cleared. */
const MAX_PAIR_NAMES = 256;

/** A number (or numeric string) within ±limit: a coordinate, whatever its precision. */
function isCoordinate(value: string | number | boolean, limit: number): boolean {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.length <= 24 ? Number(value) : NaN;
  return Number.isFinite(n) && n >= -limit && n <= limit;
}
const VERDICT_CACHE_SIZE = 4096;

/** A clean value's regions: every one (ANY_REGION), or the region keys it was found clean in. */
type CleanIn = typeof ANY_REGION | Array<string | null>;
const ANY_REGION = true;
/** Clean values remembered per path (cleared when full). */
const CLEAN_VALUES = 32;
/** Longer values are not remembered (prose rarely repeats exactly; the memory per path stays small). */
const CLEAN_MAX_LENGTH = 256;
/** Values in a row that `clean` misses before it is switched off at the path (its values do not repeat). */
const CLEAN_MAX_MISSES = 64;
/** Regions a clean value is remembered in. */
const CLEAN_REGIONS = 8;
/**
 * Below this many ASCII digits a value's decision depends on neither the event's region nor the
 * date: every region-dependent reading needs more (a national-format phone 7 digits, a bare or
 * grouped national or health id 8 or more), and so does the one date-dependent check (a date of
 * birth, 6: `1.1.1990`).
 */
const REGION_FREE_DIGITS = 6;
const MS_PER_DAY = 86_400_000;

function asciiDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * Classifies leaves: the key says what a field is meant to hold, the value says what it holds.
 * A key match stands unless the value contradicts it (`email_opt_in: true`, `passport: "US"`);
 * values under any key are scanned for data that validates (an email in `username`).
 */
export class Detector implements PointDetector {
  readonly classifiers: readonly ClassifierInfo[];
  private readonly generation = nextGeneration++;
  private readonly keys: KeyMatcher<CompiledClassifier>;
  private readonly scanner: ValueScanner;
  /** Built on the first value that looks like prose (see freeText): ~20% of a command's start-up. */
  private freeTextScanner: FreeTextScanner | null = null;
  private readonly ignoreRules: Array<{ classifier: CompiledClassifier; words: string[][] }>;
  private readonly verdictCaches = new Map<CompiledClassifier, Map<string, ValueVerdict>>();
  private readonly sourceRegions: ReadonlyMap<string, CountryCode>;
  /** The region and the other regions the event's hints name (ids are read in each): a clean verdict holds only under the same key. */
  private regionKey: string | null = null;

  constructor(
    readonly compiled: readonly CompiledClassifier[],
    options: DetectorOptions = {},
  ) {
    this.sourceRegions = options.sourceRegions ?? new Map();
    this.classifiers = compiled.map((c) => c.valueDetection.classifier);
    this.keys = new KeyMatcher(compiled);
    this.scanner = new ValueScanner(compiled);
    this.ignoreRules = compiled
      .filter((c) => scansValues(c) && c.value.ignoreUnderKeys.length > 0)
      .map((classifier) => ({ classifier, words: classifier.value.ignoreUnderKeys.map((k) => splitWords(k)) }));
  }

  private get freeText(): FreeTextScanner {
    return (this.freeTextScanner ??= new FreeTextScanner(this.compiled));
  }

  /**
   * Called before an event's leaves: reads the event's region (context.location.country,
   * context.locale, context.timezone, else the source's configured region) once, for the phone
   * numbers in it written in national format. Without a call, only the default regions apply.
   */
  beginEvent(event: unknown, source: string): void {
    const region = eventRegion(event, this.sourceRegions.size === 0 ? null : (this.sourceRegions.get(source) ?? null));
    const others = otherEventRegions(event, region);
    // Most events name one region at most: only the rare mixed-hint event allocates a key.
    this.regionKey = others.length === 0 ? region : `${region ?? ''}|${others.join(',')}`;
    setEventPhoneRegion(region);
    setEventIdRegion(region, others);
  }

  detect(node: PathNode, value: Leaf, container?: Container): Detection | null {
    if (value === null || value === '') return null;
    const decision = this.decide(node);
    // Siblings first, only at the few paths whose key asks for it (decided once per path): the
    // value slot of a name/value pair, a latitude or longitude.
    if (decision.sibling !== 0 && container !== undefined && !Array.isArray(container)) return this.withSiblings(node, decision, value, container);
    return this.detectValue(decision, value);
  }

  private detectValue(decision: PathDecision, value: Exclude<Leaf, null>): Detection | null {
    // A value found before stays found (the knowledge that protects wins); one found clean is
    // re-read in an event of another region, where it may be a national-format phone number.
    if (value === decision.lastValue && (decision.lastDetection !== null || decision.lastRegion === this.regionKey)) return decision.lastDetection;
    const strings = typeof value === 'string' && decision.cleanMisses >= 0 && value.length <= CLEAN_MAX_LENGTH;
    const detection = strings && this.recallClean(decision, value as string) ? null : this.evaluate(decision, value);
    // A path's first value is the last-value memo's alone: a path that only ever holds one value
    // (most of them, and every one of high-cardinality keys) never allocates a memory of values.
    const first = decision.lastValue === undefined;
    decision.lastValue = value;
    decision.lastDetection = detection;
    decision.lastRegion = this.regionKey;
    if (strings && !first && detection === null && decision.cleanMisses > 0) this.rememberClean(decision, value as string);
    return detection;
  }

  /**
   * Whether the exact string was found clean at this path recently, where that still holds: in any
   * event when it has too few digits for any region- or date-dependent reading, else in an event of
   * the same regions, on the same day. Fields of few values (library names, plans, titles, time
   * zones) alternate, which the last-value memo misses. A miss counts towards switching the memo
   * off at the path (ids, timestamps, user agents do not repeat): it then costs one compare.
   */
  private recallClean(decision: PathDecision, value: string): boolean {
    const clean = decision.clean;
    const regions = clean === null ? undefined : clean.get(value);
    if (regions !== undefined) {
      if (regions === ANY_REGION) {
        decision.cleanMisses = 0;
        return true;
      }
      if (regions.includes(this.regionKey)) {
        if (Math.floor(Date.now() / MS_PER_DAY) === decision.cleanDay) {
          decision.cleanMisses = 0;
          return true;
        }
        // Another day: a date of birth may now be plausible. The memory starts afresh.
        clean!.clear();
      }
    }
    if (++decision.cleanMisses >= CLEAN_MAX_MISSES) {
      decision.cleanMisses = -1;
      decision.clean = null;
    }
    return false;
  }

  /** Notes a string just found clean (after a miss of recallClean). */
  private rememberClean(decision: PathDecision, value: string): void {
    let clean = decision.clean;
    if (clean === null) clean = decision.clean = new Map();
    const regions = clean.get(value);
    if (regions === undefined) {
      if (clean.size >= CLEAN_VALUES) clean.clear();
      if (asciiDigits(value) < REGION_FREE_DIGITS) clean.set(value, ANY_REGION);
      else {
        const day = Math.floor(Date.now() / MS_PER_DAY);
        if (day !== decision.cleanDay) {
          // Entries of another day are not to be read (recallClean checks the day): start afresh.
          clean.clear();
          decision.cleanDay = day;
        }
        clean.set(value, [this.regionKey]);
      }
    } else if (regions !== ANY_REGION && regions.length < CLEAN_REGIONS && !regions.includes(this.regionKey)) {
      regions.push(this.regionKey);
    }
  }

  /**
   * Key evidence controls red data whatever the value says: a value under `card_number`, `ssn`,
   * `iban` or `passport_no` that fails the validator is a doubt about the validator as much as
   * about the value (a 13-digit card, a bank's new layout, an SSN typed without dashes), and
   * releasing it is the one mistake that cannot be undone. Only red categories (blocking a value
   * that was not personal data costs little; hashing or stripping every `email_status` would not),
   * for any key match the key matcher accepts, typos and shortenings included (`soc_sec_no`,
   * `credt_card`: the same cheap over-blocking), and only strings and numbers (a boolean under
   * `ssn_verified` or `email_verified` carries no identifier).
   */
  keyEvidence(node: PathNode, value: Leaf, container?: Container): Detection | null {
    if (value === null || value === '' || typeof value === 'boolean') return null;
    const decision = this.decide(node);
    if (decision.sibling === SIBLING_PAIR && container !== undefined && !Array.isArray(container)) {
      const pair = this.pairDecision(node, decision, container);
      if (pair !== null && pair.keyControl !== null) return pair.keyControl;
    }
    return decision.keyControl;
  }

  /**
   * A leaf whose siblings say what it is. The value slot of a name/value pair
   * (`{name: "passport_no", value: "X1234567"}`, `{field: "email", new: "…"}`) is judged as if the
   * name were its key, and the riskier of that and the value's own decision is kept. A latitude
   * or longitude the value alone leaves unclassified (`-74` is `-74.0000` after JSON) is a precise
   * coordinate when its partner in the same object is one: the two are classified alike.
   */
  private withSiblings(node: PathNode, decision: PathDecision, value: Exclude<Leaf, null>, container: Record<string, unknown>): Detection | null {
    const own = this.detectValue(decision, value);
    if (decision.sibling === SIBLING_PAIR) {
      const pair = this.pairDecision(node, decision, container);
      if (pair === null) return own;
      // Not the per-path last-value memo: one path holds the values of many names.
      const named = this.evaluate(pair, value);
      if (named === null) return own;
      return own === null || riskOf(named.classifier.classification) > riskOf(own.classifier.classification) ? named : own;
    }
    if (own !== null || typeof value === 'boolean' || decision.key === null) return own;
    const partner = coordinatePartner(container, decision.sibling === SIBLING_LAT);
    if (partner === null || !isCoordinate(value, decision.sibling === SIBLING_LAT ? 90 : 180)) return own;
    return checkValue(decision.key.classifier, partner) === 'valid' ? decision.keyAndValue : own;
  }

  /** The decision for a pair's value slot under its sibling name, or null when the object names nothing. */
  private pairDecision(node: PathNode, decision: PathDecision, container: Record<string, unknown>): PathDecision | null {
    let name: unknown;
    for (const key of PAIR_NAME_KEYS) {
      name = container[key];
      if (name !== undefined) break;
    }
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_PAIR_NAME) return null;
    let pairs = decision.pairs;
    let found = pairs?.get(name);
    if (found === undefined) {
      const keys = contextKeys(node);
      keys[keys.length - 1] = name;
      found = this.computeDecision(keys);
      // A pair's own slot never reads its siblings again.
      found.sibling = 0;
      if (pairs === null) pairs = decision.pairs = new Map();
      if (pairs.size >= MAX_PAIR_NAMES) pairs.clear();
      pairs.set(name, found);
    }
    return found;
  }

  scanText(text: string): Detection | null {
    if (text === '') return null;
    return this.scanner.scan(text, false, null)?.valueDetection ?? null;
  }

  private evaluate(decision: PathDecision, value: Exclude<Leaf, null>): Detection | null {
    const type = typeof value;
    if (decision.key !== null) {
      const outcome = this.keyOutcome(decision, decision.key.classifier, value, type);
      if (outcome === 'confirms') return decision.keyAndValue;
      if (outcome === 'stands') return decision.keyOnly;
      // Contradicted: the key is wrong about this value; it may still hold something else.
    }
    if (type === 'string') {
      const found = this.scanner.scan(value as string, false, decision.skip);
      // Prose ("passport no. is K4410293"): read only when it looks like it, under a key that may hold it.
      if (!decision.text || !FreeTextScanner.looksLikeText(value as string)) return found === null ? null : found.valueDetection;
      const primary = found !== null ? found.valueDetection : this.freeText.scan(value as string, decision.prose);
      return primary === null ? null : this.allInProse(decision, value as string, primary);
    }
    if (type === 'number' && Number.isSafeInteger(value) && (value as number) >= 100_000) {
      const found = this.scanner.scan(String(value), true, decision.skip);
      return found === null ? null : found.valueDetection;
    }
    return null;
  }

  /**
   * Prose that carries personal data may carry several kinds (a chat transcript with a card number
   * and an email): every category found is reported, the riskiest as the detection's classifier
   * (it governs enforcement), the others in `also`. Only prose already found to hold something
   * pays for the second look.
   */
  private allInProse(decision: PathDecision, text: string, primary: Detection): Detection {
    const found: Detection[] = [primary];
    const seen = new Set<string>([primary.classifier.id]);
    for (const classifier of this.scanner.scanAll(text, decision.skip)) {
      if (!seen.has(classifier.id)) {
        seen.add(classifier.id);
        found.push(classifier.valueDetection);
      }
    }
    for (const detection of this.freeText.scanAll(text, decision.prose)) {
      if (!seen.has(detection.classifier.id)) {
        seen.add(detection.classifier.id);
        found.push(detection);
      }
    }
    if (found.length === 1) return primary;
    // Stable: at equal risk the first found stays first.
    found.sort((a, b) => riskOf(b.classifier.classification) - riskOf(a.classifier.classification));
    return Object.freeze({ ...found[0]!, also: Object.freeze(found.slice(1).map((d) => d.classifier)) });
  }

  /** What the value does to the key match: confirms it, lets it stand, or contradicts it. */
  private keyOutcome(decision: PathDecision, classifier: CompiledClassifier, value: Exclude<Leaf, null>, type: string): KeyOutcome {
    if (!classifier.value.types.has(type as 'string')) return 'contradicts';
    const text = type === 'string' ? (value as string) : String(value);
    const verdict = type === 'boolean' ? 'none' : decision.verdicts === null ? checkValue(classifier, text) : this.verdict(classifier, decision.verdicts, text);
    if (verdict === 'valid') return 'confirms';
    const needs = classifier.confidence.keyNeeds;
    // `pattern`: checkValue said `shape` only for a pattern matching the whole value.
    return needs === 'type' || (needs === 'pattern' && verdict === 'shape') ? 'stands' : 'contradicts';
  }

  /**
   * For `classifiers test` explanations: what a value at this path does to its key match (null when
   * no key matches or the value is empty). Not the hot path: it recomputes without touching caches.
   */
  explainKey(node: PathNode, value: Leaf): KeyOutcome | null {
    const decision = this.decide(node);
    if (decision.key === null || value === null || value === '') return null;
    return this.keyOutcome({ ...decision, verdicts: null }, decision.key.classifier, value, typeof value);
  }

  /**
   * Names, streets and ids recur across events and paths: a bounded memo of verdicts per classifier
   * spares the RE2 and validator work for values seen recently. Cleared when full, so memory is flat.
   */
  private verdict(classifier: CompiledClassifier, cache: Map<string, ValueVerdict>, text: string): ValueVerdict {
    let verdict = cache.get(text);
    if (verdict === undefined) {
      verdict = checkValue(classifier, text);
      if (cache.size >= VERDICT_CACHE_SIZE) cache.clear();
      cache.set(text, verdict);
    }
    return verdict;
  }

  /** The cached per-path decision (exposed for `classifiers test` explanations). */
  decide(node: PathNode): PathDecision {
    if (node.cacheGeneration === this.generation) return node.cache as PathDecision;
    const decision = this.computeDecision(contextKeys(node));
    // Name/value pairs come in lists (`fields[]`, `changes[]`): a top-level `properties.value`
    // beside `properties.name` is an order's value and a product's name, not a pair.
    if (decision.sibling === SIBLING_PAIR && node.parent?.isElement !== true) decision.sibling = 0;
    node.cache = decision;
    node.cacheGeneration = this.generation;
    return decision;
  }

  /** Key decision for a bare list of keys (root → leaf), without a trie. */
  computeDecision(keys: readonly string[]): PathDecision {
    const key = this.keys.match(keys);
    let keyOnly: Detection | null = null;
    let keyAndValue: Detection | null = null;
    if (key !== null) {
      const c = key.classifier;
      const info = c.valueDetection.classifier;
      const value = c.keyValueMatcher;
      // Decisions below the threshold are not reported.
      if (c.confidence.key >= c.confidence.threshold) {
        keyOnly = Object.freeze({ classifier: info, matchedOn: 'key', confidence: c.confidence.key, matcher: key.matcher });
      }
      keyAndValue =
        c.confidence.keyAndValue >= c.confidence.threshold
          ? Object.freeze({ classifier: info, matchedOn: 'key+value', confidence: c.confidence.keyAndValue, matcher: `${key.matcher} + ${value}` })
          : keyOnly;
    }
    let skip: Set<CompiledClassifier> | null = null;
    if (this.ignoreRules.length > 0 && keys.length > 0) {
      const words = splitWords(keys[keys.length - 1]!);
      for (const rule of this.ignoreRules) {
        if (rule.words.some((run) => containsRun(words, run))) (skip ??= new Set()).add(rule.classifier);
      }
    }
    // Only pattern-only checks (names, streets: an RE2 run per value) are worth a memo; validators
    // are cheaper than the lookup (they run first) and keep their own caches where they are costly
    // (phone, email).
    let verdicts: Map<string, ValueVerdict> | null = null;
    if (key !== null && key.classifier.value.extractors.length > 0 && key.classifier.value.keyValidators.length === 0) {
      verdicts = this.verdictCaches.get(key.classifier) ?? null;
      if (verdicts === null) this.verdictCaches.set(key.classifier, (verdicts = new Map()));
    }
    let keyControl: Detection | null = null;
    if (key !== null && key.classifier.valueDetection.classifier.classification === 'red') {
      const c = key.classifier;
      keyControl = Object.freeze({
        classifier: c.valueDetection.classifier,
        matchedOn: 'key',
        confidence: c.confidence.key,
        matcher: `${key.matcher} (key evidence)`,
      });
    }
    const last = keys.length > 0 ? splitWords(keys[keys.length - 1]!) : [];
    const text = last.length === 0 || !MACHINE_WORDS.has(last[last.length - 1]!);
    const prose = last.some((word) => PROSE_WORDS.has(word));
    const sibling = siblingKind(last, key?.classifier.id ?? null);
    return {
      key,
      keyOnly,
      keyAndValue,
      skip,
      text,
      prose,
      verdicts,
      lastValue: undefined,
      lastDetection: null,
      lastRegion: null,
      clean: null,
      cleanMisses: 0,
      cleanDay: -1,
      keyControl,
      sibling,
      pairs: null,
    };
  }
}

/**
 * The keys key matching reads, root to leaf. A group call's top-level `traits` describe the group
 * (Segment spec), so they read as `group`: `traits.name` there is a company's name, not a person's,
 * while `traits.email` or `traits.phone` still match on their own words.
 */
function contextKeys(node: PathNode): string[] {
  const keys = node.keys();
  if (node.scope === 'group' && keys[0] === 'traits') keys[0] = 'group';
  return keys;
}

/** Last key words of fields that hold machine strings, never prose: their values are not read for cue words. */
const MACHINE_WORDS: ReadonlySet<string> = new Set([
  'agent',
  'ua',
  'url',
  'uri',
  'href',
  'path',
  'referrer',
  'referer',
  'version',
  'library',
  'locale',
  'timezone',
  'id',
  'ids',
  'token',
  'hash',
  'key',
  'ip',
  'host',
  'domain',
  'sku',
]);

/**
 * Key words of fields people write prose in (en, de, fr, es, it, pt, nl). Person names are tagged
 * only there: titles and product names elsewhere are capitalised too, and tagging costs milliseconds.
 */
const PROSE_WORDS: ReadonlySet<string> = new Set([
  'comment',
  'comments',
  'message',
  'messages',
  'msg',
  'note',
  'notes',
  'text',
  'body',
  'description',
  'feedback',
  'review',
  'reply',
  'chat',
  'reason',
  'content',
  'remarks',
  'remark',
  'bio',
  'details',
  'question',
  'answer',
  'query',
  'transcript',
  'memo',
  'ticket',
  'kommentar',
  'nachricht',
  'notiz',
  'bemerkung',
  'commentaire',
  'remarque',
  'comentario',
  'mensaje',
  'nota',
  'commento',
  'messaggio',
  'mensagem',
  'comentário',
  'opmerking',
  'bericht',
  'notitie',
]);

function containsRun(words: string[], run: string[]): boolean {
  outer: for (let start = 0; start + run.length <= words.length; start++) {
    for (let i = 0; i < run.length; i++) if (words[start + i] !== run[i]) continue outer;
    return true;
  }
  return false;
}
