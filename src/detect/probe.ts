import path from 'node:path';
import type { CompiledClassifier } from './compile.js';
import { BUILTIN_CLASSIFIERS_DIR } from './load.js';
import { MAX_CANDIDATES } from './value-check.js';

/**
 * V8 copies of a built-in classifier's scan patterns, used only to say "not this classifier" before
 * RE2 is asked. One RE2 call costs ~0.4 µs (the value is re-encoded to UTF-8 each time), a V8 test on a
 * short string ~30 ns, and most values that get through the scanner's prefilters (10-digit product
 * ids, `user_41867`, order numbers) match no pattern at all. A value with a candidate that passes
 * the validators still goes to RE2 and the validators (checkValue), which decide as before: the
 * probe can only spare calls whose answer is "not valid".
 *
 * Only for the shipped classifiers (their patterns are reviewed here, so V8's backtracking engine
 * cannot meet a pathological one; every user-supplied pattern stays on RE2 alone), only for
 * patterns written in the subset where both engines agree on ASCII text (plain classes, `\d \w \s
 * \b`, groups, alternation, counted repeats), and only on ASCII values (`probeable`): there RE2's
 * Unicode mode and V8's code units read the same characters.
 */
export function scanProbe(classifier: CompiledClassifier): RegExp[] | null {
  if (!isBuiltin(classifier.file)) return null;
  const sources = classifier.value.scanPatternSources;
  if (sources.length === 0 || !sources.every(inCommonSubset)) return null;
  try {
    return sources.map((source) => new RegExp(source, 'g'));
  } catch {
    return null;
  }
}

/**
 * Whether the value may be valid for the classifier: a candidate its V8 patterns extract passes
 * every validator. False is final (RE2 would extract the same candidates and the same validators
 * would refuse them); true sends the value to checkValue, where RE2 extracts and decides.
 */
export function mayBeValid(classifier: CompiledClassifier, probe: readonly RegExp[], text: string): boolean {
  const validators = classifier.value.validators;
  for (const extractor of probe) {
    extractor.lastIndex = 0;
    for (let n = 0; n < MAX_CANDIDATES; n++) {
      const match = extractor.exec(text);
      if (match === null) break;
      let passes = true;
      for (const validator of validators) {
        if (!validator(match[0])) {
          passes = false;
          break;
        }
      }
      if (passes) return true;
      if (match[0].length === 0) extractor.lastIndex++;
    }
  }
  return false;
}

/**
 * One V8 pattern matching where any of a probe's patterns matches (their alternation), or null for
 * a probe of one pattern. Its `test` failing says what every pattern's exec would say (no match
 * anywhere, so no candidate): the value is ruled out in one pass instead of one per pattern. A
 * match proves nothing, and mayBeValid reads the candidates pattern by pattern as before.
 */
export function probeUnion(probe: readonly RegExp[]): RegExp | null {
  if (probe.length < 2) return null;
  try {
    return new RegExp(probe.map((p) => `(?:${p.source})`).join('|'));
  } catch {
    return null;
  }
}

/** Whether `text` is plain ASCII, where a probe reads what RE2 reads. */
export function probeable(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

function isBuiltin(file: string): boolean {
  const rel = path.relative(BUILTIN_CLASSIFIERS_DIR, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Escapes that mean the same in RE2 and in a V8 regex without flags (inside and outside a class). */
const SAME_ESCAPES = new Set('dDwWsS.-+()[]{}/\\|?*^$:'.split(''));

/**
 * Whether a pattern uses only constructs RE2 and V8 (no flags) read alike on ASCII text. Anything
 * else (`\p{…}`, `\x{…}`, `\Q…\E`, inline flags, POSIX classes, backreferences, non-ASCII
 * literals) keeps the classifier on RE2 alone.
 */
export function inCommonSubset(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (source.charCodeAt(i) > 127) return false;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return false;
      // `\b` is a word boundary outside a class, a backspace (V8) or an error (RE2) inside one.
      if (!SAME_ESCAPES.has(next) && !(!inClass && (next === 'b' || next === 'B'))) return false;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') return false; // `[[:alpha:]]` and nested classes
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // `[]…]` and `[^]…]`: a leading `]` is literal in RE2, closes the class in V8.
      if (source[i + 1] === ']' || (source[i + 1] === '^' && source[i + 2] === ']')) return false;
      continue;
    }
    if (c === '(' && source[i + 1] === '?' && source[i + 2] !== ':') return false;
    // RE2's `.` takes a carriage return, V8's does not.
    if (c === '.') return false;
    if (c === '{' && source[i + 1] === ',') return false;
  }
  return !inClass;
}
