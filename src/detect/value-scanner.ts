import RE2 from 're2';
import { scansValues, type CompiledClassifier } from './compile.js';
import { checkValue } from './value-check.js';
import { isIsoTimestamp, isUuid } from './validators/common.js';
import { mayBeValid, probeUnion, scanProbe } from './probe.js';

// Shapes that are never personal data on their own and are everywhere in events (ids,
// timestamps, hashes). Built-in and fixed, so a V8 regex is safe here; custom patterns use RE2.
// Hex digests (md5, sha*): a letter past the first two characters, so digit runs (card numbers) and
// IBANs whose country code is hex letters and whose BBAN is digits (DE44…, BE71…, EE38…) still get scanned.
const HEX = /^(?=[0-9a-f]{2}[0-9]*[a-f])[0-9a-f]{16,}$/i;

/**
 * Finds personal data in values under keys that say nothing (`username`, `comment`, `ref`).
 * Cheap prefilters (length, digit count, a required character) rule out most values before any
 * pattern runs; the survivors go through one RE2.Set call, and only classifiers whose patterns hit
 * run their extractors and validators.
 */
export class ValueScanner {
  private readonly classifiers: CompiledClassifier[];
  private readonly set: InstanceType<typeof RE2.Set> | null;
  private readonly owner: number[] = [];
  private readonly minLength: number;
  /** Per classifier: bitmask of its required characters (>0), -1 when some are untracked, 0 when none. */
  private readonly anyOfMasks: number[];
  /** Per classifier with hints: one V8 pattern of the literal hints' alternation (a hint occurs iff it matches), else null. */
  private readonly hintAny: Array<RegExp | null>;
  /** True when every scan classifier needs a digit run or a marker character. */
  private readonly allNeedShape: boolean;
  // The prefilter's thresholds per classifier, flat: the loop over classifiers runs for most string
  // values of every event, and reads nothing else.
  private readonly minLengths: Int32Array;
  private readonly maxLengths: Float64Array;
  private readonly minDigits: Int32Array;
  private readonly minHexRuns: Int32Array;
  private readonly takesNumbers: Uint8Array;
  private readonly hasHints: Uint8Array;
  // The same thresholds as bitmasks of the first MASKED classifiers, indexed by one field of the
  // shape each: ANDed, they leave the classifiers a value could fit, so a value that fits none
  // (most of them) costs five loads instead of a prefilter call per classifier.
  private readonly byMarkers: Int32Array;
  private readonly byDigits: Int32Array;
  private readonly byHexRun: Int32Array;
  private readonly byLength: Int32Array;
  private readonly numberMask: number;
  /** Per classifier: a V8 copy of its scan patterns that can only rule a value out (see probe.ts), or null. */
  private readonly probes: Array<RegExp[] | null>;
  /** Per classifier with a probe of several patterns: their alternation, to rule a value out in one pass (see probeUnion). */
  private readonly probeAny: Array<RegExp | null>;
  /** The masked classifiers whose prefilter took the value, as `candidate` last found them (read by `probed`). */
  private passing = 0;
  /** Bitmask of the first MASKED classifiers that have a probe. */
  private readonly probeMask: number;

  constructor(classifiers: readonly CompiledClassifier[]) {
    // Only classifiers whose value-only decisions are reported (`scan`, value confidence at least the
    // threshold) take part; riskier first, so a value that fits two reports the more sensitive one.
    this.classifiers = classifiers.filter(scansValues).sort((a, b) => riskRank(b) - riskRank(a) || b.priority - a.priority);
    const sources: string[] = [];
    this.classifiers.forEach((classifier, index) => {
      for (const source of classifier.value.scanPatternSources) {
        sources.push(source);
        this.owner.push(index);
      }
    });
    this.set = sources.length > 0 ? new RE2.Set(sources, 'u') : null;
    this.minLength = Math.min(...this.classifiers.map((c) => c.value.minLength), Infinity);
    this.anyOfMasks = this.classifiers.map((c) => maskOf(c.value.requireAnyOf));
    this.hintAny = this.classifiers.map((c) => (c.value.hints.length === 0 ? null : new RegExp(c.value.hints.map(escapeLiteral).join('|'))));
    this.allNeedShape = this.classifiers.every((c, i) => c.value.minDigits > 0 || c.value.minHexRun > 0 || this.anyOfMasks[i]! > 0);
    this.minLengths = Int32Array.from(this.classifiers, (c) => c.value.minLength);
    this.maxLengths = Float64Array.from(this.classifiers, (c) => c.value.maxLength);
    this.minDigits = Int32Array.from(this.classifiers, (c) => c.value.minDigits);
    this.minHexRuns = Int32Array.from(this.classifiers, (c) => c.value.minHexRun);
    this.takesNumbers = Uint8Array.from(this.classifiers, (c) => (c.value.types.has('number') ? 1 : 0));
    this.hasHints = Uint8Array.from(this.classifiers, (c) => (c.value.hints.length > 0 ? 1 : 0));
    const masked = this.classifiers.slice(0, MASKED);
    const maskOfFits = (fits: (c: CompiledClassifier, i: number) => boolean) => masked.reduce((mask, c, i) => (fits(c, i) ? mask | (1 << i) : mask), 0);
    this.byMarkers = Int32Array.from({ length: TRACKED_BITS + 1 }, (_, markers) =>
      maskOfFits((_c, i) => this.anyOfMasks[i]! <= 0 || (markers & this.anyOfMasks[i]!) !== 0),
    );
    this.byDigits = Int32Array.from({ length: FIELD + 1 }, (_, run) => maskOfFits((c) => c.value.minDigits <= run));
    this.byHexRun = Int32Array.from({ length: FIELD + 1 }, (_, run) => maskOfFits((c) => c.value.minHexRun <= run));
    this.byLength = Int32Array.from({ length: LENGTH_TABLE }, (_, length) => maskOfFits((c) => c.value.minLength <= length && length <= c.value.maxLength));
    this.numberMask = maskOfFits((c) => c.value.types.has('number'));
    this.probes = this.classifiers.map(scanProbe);
    this.probeAny = this.probes.map((probe) => (probe === null ? null : probeUnion(probe)));
    this.probeMask = maskOfFits((_c, i) => this.probes[i] !== null);
  }

  get size(): number {
    return this.classifiers.length;
  }

  /**
   * The riskiest classifier whose pattern and validators accept the value, or null. `skip` lists
   * classifiers not believed under this key (e.g. IP-like versions under `sdk_version`).
   */
  scan(text: string, fromNumber: boolean, skip: ReadonlySet<CompiledClassifier> | null): CompiledClassifier | null {
    if (this.set === null || text.length < this.minLength) return null;
    // Canonical UUIDs (message, anonymous and device ids) are everywhere: recognised in O(1)
    // before the shape pass.
    if (isUuid(text)) return null;
    // ISO-8601 timestamps likewise, by character checks.
    if (!fromNumber && text.length >= 16 && text.charCodeAt(4) === 45 && isIsoTimestamp(text)) return null;
    const shape = shapeOf(text);
    // Read from the same pass: whether every character is ASCII (where a probe reads what RE2 reads).
    const ascii = shapeAscii;
    // Plain words (no digits, no marker characters) fit only literal-hint classifiers, if any.
    if ((shape & ~HEX_LETTER) === 0 && this.allNeedShape) return null;
    // Hyphenated hex ids (UUIDs, request ids) of 20+ characters with a hex letter, without colons:
    // never a MAC (17 characters), an IP or a card (digits only); skipped without running any pattern.
    // The letter must come past the first two characters: a dashed IBAN whose country code is hex
    // letters and whose BBAN is digits (DE89-3704-…, BE68-…) is not an id.
    if (
      (shape & (DASH | HEX_LETTER)) === (DASH | HEX_LETTER) &&
      (shape & COLON) === 0 &&
      ((shape >>> HEX_SHIFT) & FIELD) === text.length &&
      text.length >= 20 &&
      hasHexLetterFrom(text, 2)
    )
      return null;
    const only = this.candidate(text, shape, fromNumber, skip);
    if (only === NONE) return null;
    // A hex digest has only hex digits: a value with any other character (the shape's hex run,
    // which also spans : - ., is shorter than the value) cannot match.
    if (!fromNumber && (shape & HEX_LETTER) !== 0 && ((shape >>> HEX_SHIFT) & FIELD) === text.length && HEX.test(text)) return null;
    // One classifier left: its probe rules most values out without RE2 (see probe.ts); then, with one pattern (the
    // usual case), its extractor decides, without the Set call that would only say whether it can
    // match (each RE2 call re-encodes the value). With several patterns one Set call is cheaper.
    if (only !== SEVERAL) {
      const classifier = this.classifiers[only]!;
      const probe = this.probes[only] ?? null;
      if (ascii && probe !== null && !this.probeAllows(only, probe, text)) return null;
      if (classifier.value.scanExtractors.length === 1) return checkValue(classifier, text, 'scan') === 'valid' ? classifier : null;
    } else if (ascii) {
      const probed = this.probed(text);
      if (probed !== UNPROBED) return probed;
    }
    const hits = this.set.match(text);
    if (hits.length === 0) return null;
    let best = -1;
    for (const hit of hits) {
      const index = this.owner[hit]!;
      if (best !== -1 && index >= best) continue;
      const classifier = this.classifiers[index]!;
      if (!this.prefilter(index, text, shape, fromNumber, skip)) continue;
      if (checkValue(classifier, text, 'scan') === 'valid') best = index;
    }
    return best === -1 ? null : this.classifiers[best]!;
  }

  /**
   * Every classifier whose pattern and validators accept the text, riskiest first (for prose that
   * may hold several kinds of data; not the per-value path, which wants the riskiest only).
   */
  scanAll(text: string, skip: ReadonlySet<CompiledClassifier> | null): CompiledClassifier[] {
    const out: CompiledClassifier[] = [];
    if (this.set === null || text.length < this.minLength) return out;
    const shape = shapeOf(text);
    const indexes = [...new Set(this.set.match(text).map((hit) => this.owner[hit]!))].sort((a, b) => a - b);
    for (const index of indexes) {
      const classifier = this.classifiers[index]!;
      if (this.prefilter(index, text, shape, false, skip) && checkValue(classifier, text, 'scan') === 'valid') out.push(classifier);
    }
    return out;
  }

  /**
   * Several candidates, each with a probe: the riskiest whose probe matches and whose patterns and
   * validators accept the value (what the Set call would find), without RE2 for the ones the probes
   * rule out. UNPROBED when a candidate has no probe (or lies past the masks): the Set decides.
   */
  private probed(text: string): CompiledClassifier | null | typeof UNPROBED {
    if (this.classifiers.length > MASKED) return UNPROBED;
    // The classifiers whose full prefilter took the value (candidate, just before, read them all).
    let candidates = this.passing;
    // One without a probe: the Set decides.
    if ((candidates & ~this.probeMask) !== 0) return UNPROBED;
    // Lowest index first: riskier classifiers come first, as in the Set path.
    while (candidates !== 0) {
      const i = 31 - Math.clz32(candidates & -candidates);
      candidates &= candidates - 1;
      const classifier = this.classifiers[i]!;
      if (!this.probeAllows(i, this.probes[i]!, text)) continue;
      if (checkValue(classifier, text, 'scan') === 'valid') return classifier;
    }
    return null;
  }

  /**
   * The one classifier whose prefilter lets the value through, NONE, or SEVERAL. Every masked
   * classifier's prefilter is read (not only up to the second that passes): `passing` keeps them
   * for `probed`.
   */
  private candidate(text: string, shape: number, fromNumber: boolean, skip: ReadonlySet<CompiledClassifier> | null): number {
    let candidates = this.maskedCandidates(text, shape, fromNumber);
    let found = NONE;
    let passing = 0;
    while (candidates !== 0) {
      const i = 31 - Math.clz32(candidates & -candidates);
      candidates &= candidates - 1;
      if (this.prefilter(i, text, shape, fromNumber, skip)) {
        passing |= 1 << i;
        found = found === NONE ? i : SEVERAL;
      }
    }
    this.passing = passing;
    for (let i = MASKED; i < this.classifiers.length; i++) {
      if (this.prefilter(i, text, shape, fromNumber, skip)) {
        if (found !== NONE) return SEVERAL;
        found = i;
      }
    }
    return found;
  }

  /** The masked classifiers (bits 0–30) whose precomputed tables let a value of this shape and length through. */
  private maskedCandidates(text: string, shape: number, fromNumber: boolean): number {
    const length = text.length;
    return (
      this.byMarkers[shape & TRACKED_BITS]! &
      this.byDigits[(shape >>> DIGIT_SHIFT) & FIELD]! &
      this.byHexRun[(shape >>> HEX_SHIFT) & FIELD]! &
      (length < LENGTH_TABLE ? this.byLength[length]! : -1) &
      (fromNumber ? this.numberMask : -1)
    );
  }

  /** The probe's answer (see probe.ts), after its patterns' alternation, if it has one, found a match at all. */
  private probeAllows(index: number, probe: readonly RegExp[], text: string): boolean {
    const any = this.probeAny[index]!;
    if (any !== null && !any.test(text)) return false;
    return mayBeValid(this.classifiers[index]!, probe, text);
  }

  /** A literal hint occurs in the text: one V8 pass over it (literals only: no backtracking). */
  private hasHint(index: number, text: string): boolean {
    return this.hintAny[index]!.test(text);
  }

  private prefilter(index: number, text: string, shape: number, fromNumber: boolean, skip: ReadonlySet<CompiledClassifier> | null): boolean {
    const length = text.length;
    if (length < this.minLengths[index]! || length > this.maxLengths[index]!) return false;
    if (((shape >>> DIGIT_SHIFT) & FIELD) < this.minDigits[index]! || ((shape >>> HEX_SHIFT) & FIELD) < this.minHexRuns[index]!) return false;
    if (fromNumber && this.takesNumbers[index] === 0) return false;
    const anyOf = this.anyOfMasks[index]!;
    if (anyOf > 0 ? (shape & anyOf) === 0 : anyOf < 0 && !hasAnyOf(text, this.classifiers[index]!.value.requireAnyOf)) return false;
    if (this.hasHints[index] === 1 && !this.hasHint(index, text)) return false;
    return skip === null || !skip.has(this.classifiers[index]!);
  }
}

/** Classifiers covered by the prefilter bitmasks (bits 0–30 of an int); any beyond are checked one by one. */
const MASKED = 31;
/** Lengths with a precomputed mask; longer values pass the length stage and are checked in full. */
const LENGTH_TABLE = 512;
const NONE = -1;
const SEVERAL = -2;
const UNPROBED = Symbol('unprobed');

function riskRank(c: CompiledClassifier): number {
  return c.classification === 'red' ? 2 : c.classification === 'yellow' ? 1 : 0;
}

// One pass over a value gives its "shape": which marker characters occur (bits 0–10; `%` for
// URL-encoded emails), the most digits in one run of digits and number separators (bits 11–20), and
// the longest run of hex digits and : - . separators (bits 21–30: MAC and IP addresses are such runs,
// URLs and prose are not), and whether any hex letter occurs (bit 31).
// Prefilters read only this number.
const TRACKED = '@:.-+( /_,%';
const TRACKED_BITS = (1 << TRACKED.length) - 1;
const DIGIT_SHIFT = 11;
const HEX_SHIFT = 21;
const FIELD = 0x3ff;
const BIT = new Int32Array(128).fill(0);
for (let i = 0; i < TRACKED.length; i++) BIT[TRACKED.charCodeAt(i)] = 1 << i;
const DASH = BIT[45]!;
const COLON = BIT[58]!;

// Character classes for the shape pass, looked up once per character (no branches on ranges).
const C_DIGIT = 1 << 16;
const C_DIGIT_SEP = 1 << 17; // space - . ( ) / + : keep a digit run going
const C_HEX = 1 << 18; // a-f A-F : - . : keep a hex run going
const C_HEX_LETTER = 1 << 19; // a-f A-F
/** Shape bit 31: the value has a hex letter (a-f, A-F). */
const HEX_LETTER = 1 << 31;
const CLASS = new Int32Array(128);
for (let code = 0; code < 128; code++) {
  let c = BIT[code]!;
  if (code >= 48 && code <= 57) c |= C_DIGIT | C_HEX;
  if (code === 32 || code === 45 || code === 46 || code === 40 || code === 41 || code === 47 || code === 43) c |= C_DIGIT_SEP;
  if ((code >= 97 && code <= 102) || (code >= 65 && code <= 70) || code === 58 || code === 45 || code === 46) c |= C_HEX;
  if ((code >= 97 && code <= 102) || (code >= 65 && code <= 70)) c |= C_HEX_LETTER;
  CLASS[code] = c;
}

/** Whether the text last read by shapeOf is plain ASCII (its one pass sees every character). */
let shapeAscii = true;

export function shapeOf(text: string): number {
  let ascii = true;
  let bits = 0;
  let digitBest = 0;
  let digitRun = 0;
  let hexBest = 0;
  let hexRun = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let c = 0;
    if (code < 128) c = CLASS[code]!;
    else ascii = false;
    bits |= c;
    if ((c & C_DIGIT) !== 0) {
      if (++digitRun > digitBest) digitBest = digitRun;
    } else if ((c & C_DIGIT_SEP) === 0) {
      digitRun = 0;
    }
    if ((c & C_HEX) !== 0) {
      if (++hexRun > hexBest) hexBest = hexRun;
    } else {
      hexRun = 0;
    }
  }
  shapeAscii = ascii;
  return (
    (bits & TRACKED_BITS) |
    (Math.min(digitBest, FIELD) << DIGIT_SHIFT) |
    (Math.min(hexBest, FIELD) << HEX_SHIFT) |
    ((bits & C_HEX_LETTER) !== 0 ? HEX_LETTER : 0)
  );
}

/** Most digits in one run of digits and number separators. */
export function longestDigitRun(text: string): number {
  return (shapeOf(text) >>> DIGIT_SHIFT) & FIELD;
}

/** Longest run of hex digits and : - . separators. */
export function longestHexRun(text: string): number {
  return (shapeOf(text) >>> HEX_SHIFT) & FIELD;
}

/** A literal string as a V8 pattern matching exactly it. */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function maskOf(chars: string): number {
  let mask = 0;
  for (let i = 0; i < chars.length; i++) {
    const index = TRACKED.indexOf(chars[i]!);
    if (index < 0) return -1;
    mask |= 1 << index;
  }
  return mask;
}

function hasHexLetterFrom(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i) | 0x20;
    if (code >= 97 && code <= 102) return true;
  }
  return false;
}

function hasAnyOf(text: string, chars: string): boolean {
  for (let i = 0; i < chars.length; i++) if (text.includes(chars[i]!)) return true;
  return false;
}
