/**
 * `findPhoneNumbers` — phone numbers inside free text (positions only), found by libphonenumber's
 * matcher and then held to the same rules as the `phone` validator.
 */
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import { isAllSameChar, isSequentialDigits } from './common.js';
import { NON_DIGIT, isNonPhoneShape, isValidNationalNumber, normalizeRegion } from './phone-shapes.js';

/** Free text beyond this many characters is not scanned (keeps the matcher's cost bounded). */
export const MAX_PHONE_TEXT_LENGTH = 10_000;

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
