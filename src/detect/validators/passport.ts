/**
 * `passport` — the shape of a passport number: 6–9 letters/digits with at least one digit
 * (`123456789`, `C01X00T47`, `J8369854`). The digit requirement rejects country codes (`US`, `GBR`)
 * and ordinary words found under passport-ish keys (`passport_country`, `passport_type`).
 * Used together with a key match.
 */
import { isAllSameChar, isSequentialDigits, prepare } from './common.js';

const PASSPORT = /^[A-Za-z0-9]{6,9}$/;
const HAS_DIGIT = /[0-9]/;

export function isPassportNumber(candidate: string): boolean {
  const value = prepare(candidate, 16);
  if (value === null || !PASSPORT.test(value) || !HAS_DIGIT.test(value)) return false;
  return !isAllSameChar(value.toUpperCase()) && !isSequentialDigits(value);
}
