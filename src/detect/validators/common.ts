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

/** True for UUIDs (any version) in canonical 8-4-4-4-12 form. A character loop: ids are on every event. */
export function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70))) {
      return false;
    }
  }
  return true;
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
