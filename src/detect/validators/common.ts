/**
 * Shared guards for the value validators. Everything here is pure and cheap:
 * validators run on the hot path, once per candidate leaf value.
 */

/** No personal-data value we validate is longer than this; longer input is rejected before any parsing. */
export const MAX_CANDIDATE_LENGTH = 256;

/**
 * Returns the trimmed candidate, or `null` when it is not a string, is empty, or is too long.
 * The type check is defensive: the caller is typed, but leaf values come from untrusted JSON.
 */
export function prepare(candidate: unknown, maxLength: number = MAX_CANDIDATE_LENGTH): string | null {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > maxLength) return null;
  // String#trim strips the same characters as /^\s+|\s+$/ and is native (no regex per candidate).
  const trimmed = candidate.trim();
  return trimmed.length === 0 ? null : trimmed;
}

// md5 (32), sha1 (40), sha224 (56), sha256 (64), sha384 (96), sha512 (128) digests in hex.
const HEX_DIGEST = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i;

// 1 for the ASCII hex digits: one table load per character instead of three range tests.
const HEX_CHAR = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_CHAR[c.charCodeAt(0)] = 1;

function hexRun(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || HEX_CHAR[code] === 0) return false;
  }
  return true;
}

/** True for UUIDs (any version) in canonical 8-4-4-4-12 form. Character checks: ids are on every event. */
export function isUuid(value: string): boolean {
  if (value.length !== 36 || value.charCodeAt(8) !== 45 || value.charCodeAt(13) !== 45 || value.charCodeAt(18) !== 45 || value.charCodeAt(23) !== 45)
    return false;
  return hexRun(value, 0, 8) && hexRun(value, 9, 13) && hexRun(value, 14, 18) && hexRun(value, 19, 23) && hexRun(value, 24, 36);
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsAt(text: string, from: number, count: number): boolean {
  if (from + count > text.length) return false;
  for (let i = from; i < from + count; i++) if (!isDigitCode(text.charCodeAt(i))) return false;
  return true;
}

/**
 * ISO-8601 date-times as events carry them: `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|±HH[:]MM]` (the
 * shape, not the calendar). Character checks: a timestamp is on every event, a regex costs ~10x.
 */
export function isIsoTimestamp(text: string): boolean {
  const n = text.length;
  if (n < 16 || !digitsAt(text, 0, 4) || text.charCodeAt(4) !== 45 || !digitsAt(text, 5, 2) || text.charCodeAt(7) !== 45 || !digitsAt(text, 8, 2)) return false;
  const separator = text.charCodeAt(10);
  if ((separator !== 84 && separator !== 32) || !digitsAt(text, 11, 2) || text.charCodeAt(13) !== 58 || !digitsAt(text, 14, 2)) return false;
  let i = 16;
  if (i < n && text.charCodeAt(i) === 58) {
    if (!digitsAt(text, i + 1, 2)) return false;
    i += 3;
    if (i < n && text.charCodeAt(i) === 46) {
      let j = i + 1;
      while (j < n && j - i <= 9 && isDigitCode(text.charCodeAt(j))) j++;
      if (j === i + 1) return false;
      i = j;
    }
  }
  if (i === n) return true;
  const zone = text.charCodeAt(i);
  if (zone === 90) return i + 1 === n;
  if ((zone !== 43 && zone !== 45) || !digitsAt(text, i + 1, 2)) return false;
  i += 3;
  if (i < n && text.charCodeAt(i) === 58) i++;
  return i + 2 === n && digitsAt(text, i, 2);
}

/** True for hex digests (md5/sha*) and UUIDs: identifiers of things, never the personal values we look for. */
export function isHexHashOrUuid(value: string): boolean {
  return HEX_DIGEST.test(value) || isUuid(value);
}

const DIGITS = /^[0-9]+$/;

export function isDigits(value: string): boolean {
  return DIGITS.test(value);
}

/** `1111111`, `0000000000` — placeholders and test fillers. */
export function isAllSameChar(value: string): boolean {
  if (value.length === 0) return false;
  const first = value.charCodeAt(0);
  for (let i = 1; i < value.length; i++) {
    if (value.charCodeAt(i) !== first) return false;
  }
  return true;
}

/**
 * `123456789`, `9876543210`, `0123456789012` — digits that step by +1 (or -1) throughout, wrapping 9→0.
 * Keyboard-mash and placeholder values, not real numbers.
 */
export function isSequentialDigits(value: string): boolean {
  if (value.length < 3 || !DIGITS.test(value)) return false;
  const step = (value.charCodeAt(1) - value.charCodeAt(0) + 10) % 10;
  if (step !== 1 && step !== 9) return false;
  for (let i = 2; i < value.length; i++) {
    if ((value.charCodeAt(i) - value.charCodeAt(i - 1) + 10) % 10 !== step) return false;
  }
  return true;
}

/** Luhn (mod 10) checksum over a string of ASCII digits; the last digit is the check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Strips single separators between digit groups: `4242 4242-...` → `42424242...`.
 * Returns `null` unless the value is digit groups joined by one consistent separator (or no separator)
 * and every group has `minGroup`..`maxGroup` digits.
 */
export function joinDigitGroups(value: string, separators: string, minGroup: number, maxGroup: number): string | null {
  if (DIGITS.test(value)) return value;
  let sep: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c >= '0' && c <= '9') continue;
    if (!separators.includes(c)) return null;
    if (sep === null) sep = c;
    else if (c !== sep) return null;
  }
  if (sep === null) return null;
  const groups = value.split(sep);
  for (const g of groups) {
    if (g.length < minGroup || g.length > maxGroup) return null;
  }
  return groups.join('');
}
