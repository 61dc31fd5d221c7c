/**
 * Shared by the `phone` validator and `findPhoneNumbers`: shapes with enough digits to parse as a
 * phone number that are really something else, and the libphonenumber calls wrapped so they never throw.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

// Digits and the usual punctuation; a leading `+` is the only other character allowed (no letters,
// so vanity numbers and anything hex — hashes, UUID parts — are out).
export const PHONE_CHARS = /^\+?[0-9()./ -]+$/;
export const NON_DIGIT = /[^0-9]/g;

const EPOCH_SECONDS = /^1[0-9]{9}$/; // 2001-09-09 … 2033-05-18
const EPOCH_MILLIS = /^1[0-9]{12}$/;
const DATE_LIKE = /^(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4})$/;
const DECIMAL_NUMBER = /^[0-9]+\.[0-9]+$/;
const IPV4_LIKE = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;
// Group lengths of a canonical UUID: 8-4-4-4-12.
const UUID_GROUPS = [8, 4, 4, 4, 12] as const;

/** True when dash-separated digit groups line up with consecutive UUID groups (e.g. `12345678-1234`). */
function isUuidFragment(value: string): boolean {
  // A UUID's groups are hex alone: `(212)555-0147` is an area code and a number, not 8-4.
  if (!value.includes('-') || value.includes('(') || value.includes(' ')) return false;
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
export function isNonPhoneShape(value: string): boolean {
  return (
    EPOCH_SECONDS.test(value) ||
    EPOCH_MILLIS.test(value) ||
    DATE_LIKE.test(value) ||
    DECIMAL_NUMBER.test(value) ||
    IPV4_LIKE.test(value) ||
    isUuidFragment(value)
  );
}

export function normalizeRegion(region: string): CountryCode | null {
  const upper = region.toUpperCase();
  return isSupportedCountry(upper) ? upper : null;
}

export function isValidNumber(text: string, region?: CountryCode): boolean {
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
export function isValidNationalNumber(value: string, digits: string, region: CountryCode): boolean {
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
