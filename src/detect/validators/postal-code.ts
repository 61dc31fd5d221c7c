/**
 * `postal_code` — US ZIP / ZIP+4, UK postcodes, Canadian postal codes, plain 4–6 digit codes
 * (most of Europe, India, Australia, …) and a few common punctuated forms (NL `1234 AB`,
 * PL `12-345`, BR `12345-678`, JP `123-4567`). Short digit strings are everywhere, so this is only
 * used together with a key match; placeholders like `00000` are rejected.
 */
import { isAllSameChar, isDigits, prepare } from './common.js';

const US_ZIP = /^[0-9]{5}(?:-[0-9]{4})?$/;
// Royal Mail format (outward code + inward code), including the GIR 0AA special case.
const UK_POSTCODE = /^(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$/i;
// Canada Post: letter-digit-letter digit-letter-digit; D F I O Q U never used, W Z never first.
const CA_POSTAL = /^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$/i;
const OTHER_FORMS = /^(?:[1-9][0-9]{3} ?[A-Z]{2}|[0-9]{2}-[0-9]{3}|[0-9]{5}-[0-9]{3}|[0-9]{3}-[0-9]{4})$/;

export function isPostalCode(candidate: string): boolean {
  const value = prepare(candidate, 16);
  if (value === null) return false;
  if (isDigits(value)) return value.length >= 4 && value.length <= 6 && !isAllSameChar(value);
  if (US_ZIP.test(value)) return !isAllSameChar(value.slice(0, 5));
  return UK_POSTCODE.test(value) || CA_POSTAL.test(value) || OTHER_FORMS.test(value);
}
