/**
 * Check-digit schemes shared by national identifiers, and the date test most of them embed.
 * Pure, allocation-free where it matters: these run on scanned values.
 */

/** Digits of `value` in order with the given separators removed, or null if anything else occurs. */
export function digitsOnly(value: string, separators: string): string | null {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c >= '0' && c <= '9') out += c;
    else if (!separators.includes(c)) return null;
  }
  return out;
}

/**
 * `value` split by one separator character into groups of exactly `sizes` (or bare, when
 * `allowBare`), joined; null if it is not written that way. A consistent separator only:
 * `943 476-5919` is not an NHS number's printed form.
 */
export function grouped(value: string, sizes: readonly number[], separators: string, allowBare = true): string | null {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (value.length === total) return /^\d+$/.test(value) && allowBare ? value : null;
  if (value.length !== total + sizes.length - 1) return null;
  const sep = value[sizes[0]!]!;
  if (!separators.includes(sep)) return null;
  let out = '';
  let at = 0;
  for (let g = 0; g < sizes.length; g++) {
    const part = value.slice(at, at + sizes[g]!);
    if (!/^\d+$/.test(part)) return null;
    out += part;
    at += sizes[g]!;
    if (g < sizes.length - 1) {
      if (value[at] !== sep) return null;
      at++;
    }
  }
  return out;
}

export function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/** Luhn (ISO/IEC 7812-1 annex B) over all digits, the last being the check digit. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digitAt(digits, i);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Σ digit[i] × weights[i] over the first weights.length digits. */
export function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digitAt(digits, i) * weights[i]!;
  return sum;
}

// Verhoeff (1969): dihedral group D5 multiplication, permutation and inverse tables.
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff check over all digits, the last being the check digit. */
export function verhoeff(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) c = D[c]![P[i % 8]![digitAt(digits, digits.length - 1 - i)]!]!;
  return c === 0;
}

/** ISO/IEC 7064 MOD 11,10 (hybrid system): true when the last digit is the check digit. */
export function iso7064Mod11_10(digits: string): boolean {
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    let sum = (digitAt(digits, i) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === digitAt(digits, digits.length - 1);
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar date (leap years honoured when the full year is known; 29 Feb allowed otherwise). */
export function isDate(year: number | null, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29 && year !== null) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= DAYS[month - 1]!;
}

/** Every character the same (000000000, 111-11-1111 once joined): placeholders, never issued. */
export function allSame(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return false;
  return true;
}
