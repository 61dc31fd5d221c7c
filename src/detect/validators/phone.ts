/**
 * `phone` — telephone numbers validated against libphonenumber's full ("max") metadata, which checks
 * the number against each country's real numbering plan rather than just its length.
 * International numbers (`+CC…` or `00CC…`) are accepted for every country; national formats only
 * for the configured default regions. Digit strings that are really something else — epoch
 * timestamps, dates, decimals, IPv4 addresses, UUID fragments, placeholder runs — are rejected
 * before parsing (see phone-shapes.ts).
 *
 * Cost: a libphonenumber parse is ~10 µs; a 7–17 digit string that is not a phone is parsed once
 * per default region, so callers should gate this validator with key context or cheap checks.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { isAllSameChar, isSequentialDigits, prepare } from './common.js';
import { NON_DIGIT, PHONE_CHARS, isNonPhoneShape, isValidNationalNumber, isValidNumber, normalizeRegion } from './phone-shapes.js';
import type { Validator } from './types.js';

/** National formats accepted by `VALIDATORS.phone`. */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = Object.freeze([
  'US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AU', 'CA',
] as CountryCode[]);

const MAX_PHONE_LENGTH = 40;
const RECENT_VERDICTS = 32_768;

/**
 * Builds a phone validator accepting international numbers from any country and national numbers
 * of `defaultRegions` (ISO 3166 alpha-2 codes as used by libphonenumber-js, e.g. `GB` not `UK`).
 * Throws a RangeError at construction for a region libphonenumber-js does not know, so a
 * misconfiguration fails at startup rather than silently matching nothing.
 */
export function makePhoneValidator(defaultRegions: readonly string[]): Validator {
  const regions: CountryCode[] = [];
  for (const region of defaultRegions) {
    const code = typeof region === 'string' ? normalizeRegion(region) : null;
    if (code === null) throw new RangeError(`Unknown phone region: ${String(region)}`);
    if (!regions.includes(code)) regions.push(code);
  }

  // libphonenumber costs ~10 µs a parse, and the same people's numbers recur across their events:
  // remember recent verdicts in two generations (when the young one fills up it becomes the old
  // one), so memory stays bounded and numbers in use stay remembered.
  let young = new Map<string, boolean>();
  let old = new Map<string, boolean>();
  const validate = (candidate: string): boolean => {
    let verdict = young.get(candidate);
    if (verdict !== undefined) return verdict;
    verdict = old.get(candidate);
    if (verdict === undefined) verdict = check(candidate);
    if (young.size >= RECENT_VERDICTS) {
      old = young;
      young = new Map();
    }
    young.set(candidate, verdict);
    return verdict;
  };
  const check = (candidate: string): boolean => {
    const value = prepare(candidate, MAX_PHONE_LENGTH);
    if (value === null || !PHONE_CHARS.test(value)) return false;
    const digits = value.replace(NON_DIGIT, '');
    if (digits.length < 7 || digits.length > 17 || isNonPhoneShape(value)) return false;
    if (isAllSameChar(digits) || isSequentialDigits(digits)) return false;
    if (value.startsWith('+')) return digits.length <= 15 && isValidNumber(value);
    // `00` is the international call prefix across Europe, Asia and Africa: `0044 20 …` = `+44 20 …`.
    if (digits.startsWith('00')) return value.startsWith('00') && isValidNumber(`+${value.slice(2)}`);
    for (const region of regions) {
      if (isValidNationalNumber(value, digits, region)) return true;
    }
    return false;
  };
  return validate;
}
