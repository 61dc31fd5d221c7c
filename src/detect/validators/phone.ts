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
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = Object.freeze(['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AU', 'CA'] as CountryCode[]);

const MAX_PHONE_LENGTH = 40;
/** Event regions with their own memo at once (a stream's countries are few; cleared beyond this). */
const MAX_REGION_MEMOS = 64;

interface Recent {
  young: Map<string, boolean>;
  old: Map<string, boolean>;
}

/**
 * The region of the event being classified (see detect/region-hint.ts), set by the detector at the
 * start of each event's walk. A walk is synchronous, so the one slot is never read by another event.
 * When set, national formats are read in this region's numbering plan instead of the validator's
 * default regions (whose eight permissive plans take most 10–11 digit strings).
 */
let eventRegion: CountryCode | null = null;

/** Sets the region national-format numbers of the current event are read in (null: defaults only). */
export function setEventPhoneRegion(region: CountryCode | null): void {
  eventRegion = region;
}
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
  // Verdicts are remembered per region they were reached in: the default regions' memo, and one per
  // event region seen (an event that says where it comes from is read in that country's plan only).
  const memos = new Map<CountryCode | null, Recent>();
  const validate = (candidate: string): boolean => {
    const region = eventRegion;
    let memo = memos.get(region);
    if (memo === undefined) {
      if (memos.size >= MAX_REGION_MEMOS) memos.clear();
      memos.set(region, (memo = { young: new Map(), old: new Map() }));
    }
    let verdict = memo.young.get(candidate);
    if (verdict !== undefined) return verdict;
    verdict = memo.old.get(candidate);
    if (verdict === undefined) verdict = check(candidate, region === null ? regions : [region]);
    if (memo.young.size >= RECENT_VERDICTS) {
      memo.old = memo.young;
      memo.young = new Map();
    }
    memo.young.set(candidate, verdict);
    return verdict;
  };
  const check = (candidate: string, nationalRegions: readonly CountryCode[]): boolean => {
    const value = prepare(candidate, MAX_PHONE_LENGTH);
    if (value === null || !PHONE_CHARS.test(value)) return false;
    const digits = value.replace(NON_DIGIT, '');
    if (digits.length < 7 || digits.length > 17 || isNonPhoneShape(value)) return false;
    if (isAllSameChar(digits) || isSequentialDigits(digits)) return false;
    if (value.startsWith('+')) return digits.length <= 15 && isValidNumber(value);
    // `00` is the international call prefix across Europe, Asia and Africa: `0044 20 …` = `+44 20 …`.
    if (digits.startsWith('00')) return value.startsWith('00') && isValidNumber(`+${value.slice(2)}`);
    for (const region of nationalRegions) {
      if (isValidNationalNumber(value, digits, region)) return true;
    }
    return false;
  };
  return validate;
}
