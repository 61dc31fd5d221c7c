/**
 * `phone` — telephone numbers validated against libphonenumber's full ("max") metadata, which checks
 * the number against each country's real numbering plan rather than just its length.
 * International numbers (`+CC…` or `00CC…`) are accepted for every country; national formats only
 * for the configured default regions. Digit strings that are really something else — epoch
 * timestamps, dates, decimals, IPv4 addresses, UUID fragments — are rejected before parsing.
 */
import {
  findPhoneNumbersInText,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import { isAllSameChar, isSequentialDigits, prepare } from './common.js';
import type { Validator } from './types.js';

/** National formats accepted by `VALIDATORS.phone`. */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = Object.freeze([
  'US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AU', 'CA',
] as CountryCode[]);

const MAX_PHONE_LENGTH = 40;
/** Free text beyond this many characters is not scanned (keeps the matcher's cost bounded). */
export const MAX_PHONE_TEXT_LENGTH = 10_000;

// Digits and the usual punctuation; a leading `+` is the only other character allowed (no letters,
// so vanity numbers and anything hex — hashes, UUID parts — are out).
const PHONE_CHARS = /^\+?[0-9().\/ -]+$/;
const NON_DIGIT = /[^0-9]/g;

const EPOCH_SECONDS = /^1[0-9]{9}$/; // 2001-09-09 … 2033-05-18
const EPOCH_MILLIS = /^1[0-9]{12}$/;
const DATE_LIKE = /^(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4})$/;
const DECIMAL_NUMBER = /^[0-9]+\.[0-9]+$/;
const IPV4_LIKE = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;
// Group lengths of a canonical UUID: 8-4-4-4-12.
const UUID_GROUPS = [8, 4, 4, 4, 12] as const;

/** True when dash-separated digit groups line up with consecutive UUID groups (e.g. `12345678-1234`). */
function isUuidFragment(value: string): boolean {
  if (!value.includes('-')) return false;
  const groups = value.split('-');
  if (groups.length < 2) return false;
  for (let start = 0; start + groups.length <= UUID_GROUPS.length; start++) {
    let aligned = true;
    for (let i = 0; i < groups.length; i++) {
      if ((groups[i] as string).length !== UUID_GROUPS[start + i]) {
        aligned = false;
        break;
      }
    }
    // 4-4 alone is an ordinary phone grouping; require an 8- or 12-group or at least three groups.
    if (aligned && (start === 0 || start + groups.length === UUID_GROUPS.length || groups.length >= 3)) return true;
  }
  return false;
}

/** Shapes that contain enough digits to parse as a phone number but are something else. */
function isNonPhoneShape(value: string): boolean {
  return (
    EPOCH_SECONDS.test(value) ||
    EPOCH_MILLIS.test(value) ||
    DATE_LIKE.test(value) ||
    DECIMAL_NUMBER.test(value) ||
    IPV4_LIKE.test(value) ||
    isUuidFragment(value)
  );
}

function normalizeRegion(region: string): CountryCode | null {
  const upper = region.toUpperCase();
  return isSupportedCountry(upper) ? upper : null;
}

function isValidNumber(text: string, region?: CountryCode): boolean {
  try {
    return parsePhoneNumberFromString(text, region)?.isValid() === true;
  } catch {
    return false;
  }
}

/**
 * Regions whose national trunk prefix `0` is routinely left out when people write numbers down
 * (Indian mobiles are written as 10 digits), so its absence is no evidence against a phone number.
 */
const TRUNK_PREFIX_OFTEN_OMITTED: ReadonlySet<string> = new Set(['IN']);

/**
 * A national number for `region`, written the way people write phone numbers there. libphonenumber
 * also accepts national numbers with the trunk prefix missing (`87654321` is a valid German number to
 * it), which would make most 7–9 digit ids "phones"; where the national format starts with the trunk
 * prefix `0` we require it to be written, or the country code to be given (`44 20 7946 0018`).
 */
function isValidNationalNumber(value: string, digits: string, region: CountryCode): boolean {
  try {
    const parsed = parsePhoneNumberFromString(value, region);
    if (parsed === undefined || !parsed.isValid()) return false;
    if (digits.startsWith('0') || TRUNK_PREFIX_OFTEN_OMITTED.has(region)) return true;
    if (digits === parsed.countryCallingCode + parsed.nationalNumber) return true;
    return !parsed.formatNational().startsWith('0');
  } catch {
    return false;
  }
}

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

  return (candidate: string): boolean => {
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
}

/** The digit-boundary check the text matcher lacks: a match glued to letters/digits is part of a token. */
function isTokenChar(ch: string | undefined): boolean {
  return ch !== undefined && /[0-9A-Za-z_-]/.test(ch);
}

/**
 * Finds valid phone numbers inside free text and returns their positions (`end` exclusive).
 * With `defaultRegion` (e.g. `'GB'`) national numbers of that region are found too; without it, or
 * with a region libphonenumber-js does not know, only internationally written numbers (`+CC…`).
 * Only the first MAX_PHONE_TEXT_LENGTH characters are scanned. Never throws.
 */
export function findPhoneNumbers(text: string, defaultRegion?: string): Array<{ start: number; end: number }> {
  if (typeof text !== 'string' || text.length === 0) return [];
  const region = typeof defaultRegion === 'string' ? normalizeRegion(defaultRegion) : null;
  const scanned = text.length > MAX_PHONE_TEXT_LENGTH ? text.slice(0, MAX_PHONE_TEXT_LENGTH) : text;
  const found: Array<{ start: number; end: number }> = [];
  try {
    const matches = findPhoneNumbersInText(scanned, region === null ? {} : { defaultCountry: region });
    for (const { number, startsAt, endsAt } of matches) {
      if (!number.isValid()) continue;
      if (isTokenChar(scanned[startsAt - 1]) || isTokenChar(scanned[endsAt])) continue;
      const written = scanned.slice(startsAt, endsAt);
      const digits = written.replace(NON_DIGIT, '');
      if (isNonPhoneShape(written) || isAllSameChar(digits) || isSequentialDigits(digits)) continue;
      const international = written.startsWith('+') || digits.startsWith('00');
      if (!international && region !== null && !isValidNationalNumber(written, digits, region)) continue;
      found.push({ start: startsAt, end: endsAt });
    }
  } catch {
    return [];
  }
  return found;
}
