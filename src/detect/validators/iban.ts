/**
 * `iban` — International Bank Account Numbers (ISO 13616). Checks the country code against the
 * SWIFT IBAN registry length table, the check digits (02–98) and the ISO 7064 mod-97 checksum.
 * Print format (groups of four separated by spaces) and lowercase are accepted.
 */
import { prepare } from './common.js';

/** IBAN length per country, SWIFT IBAN Registry (all SEPA members plus every other registered country). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
});

// Country code, two check digits, then the alphanumeric BBAN. Spaces only between characters.
const PRINTED_IBAN = /^[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9])+$/;

/** ISO 7064 MOD 97-10 over the rearranged IBAN (letters A=10 … Z=35), computed digit by digit. */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 65 /* A */) {
      const value = code - 55;
      remainder = (remainder * 100 + value) % 97;
    } else {
      remainder = (remainder * 10 + (code - 48)) % 97;
    }
  }
  return remainder;
}

export function isIban(candidate: string): boolean {
  const value = prepare(candidate, 64);
  if (value === null || !PRINTED_IBAN.test(value)) return false;
  const iban = value.replace(/ /g, '').toUpperCase();
  const expectedLength = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expectedLength === undefined || iban.length !== expectedLength) return false;
  const check = Number(iban.slice(2, 4));
  if (check < 2 || check > 98) return false;
  return mod97(iban) === 1;
}
