/**
 * `luhn` and `luhn_keyed` — payment card numbers (PAN), ISO/IEC 7812-1: an issuer identification
 * number (IIN) at the front, the account number, and a Luhn (mod 10, ISO/IEC 7812-1 annex B) check
 * digit at the end, 8 to 19 digits in all; cards in circulation have 12 to 19.
 *
 * `luhn_keyed` confirms a value under a key that says card (`card_number`, `card_no`): the key is the
 * evidence, so any 12–19 digits that pass Luhn count, in any grouping (`4824 7363 4459 8`).
 * `luhn` hunts cards under keys that say nothing: the value must also start with an IIN range a
 * scheme issues today, at a length that scheme issues, in one of the groupings cards are printed in.
 * The IIN check is what keeps random Luhn-valid ids (1 in 10 of any digit string) and epoch
 * timestamps out.
 */
import { isAllSameChar, isHexHashOrUuid, isSequentialDigits, joinDigitGroups, luhnValid, prepare } from './common.js';

/** [prefix digits, first prefix, last prefix, allowed lengths] */
type IinRange = readonly [number, number, number, readonly number[]];

const L16_19 = [16, 17, 18, 19] as const;
const L14_19 = [14, 15, 16, 17, 18, 19] as const;
const L12_19 = [12, 13, 14, 15, 16, 17, 18, 19] as const;

// Ranges and lengths as the schemes publish them (Visa, Mastercard, American Express, Discover
// Global Network's IIN table, JCB, UnionPay, UATP); ISO/IEC 7812-1 assigns the first digit (major
// industry identifier): 1 airlines (UATP), 3 travel and entertainment, 4–6 banking, 8 health/telecom.
const IIN_RANGES: readonly IinRange[] = [
  [1, 4, 4, [13, 16, 19]], // Visa (incl. Electron; 13-digit cards are legacy but still valid)
  [2, 51, 55, [16]], // Mastercard
  [4, 2221, 2720, [16]], // Mastercard 2-series (since 2017)
  [2, 34, 34, [15]], // American Express
  [2, 37, 37, [15]],
  [1, 1, 1, [15]], // UATP (airline cards)
  [4, 6011, 6011, L16_19], // Discover
  [3, 644, 649, L16_19],
  [2, 65, 65, L16_19], // Discover / RuPay / Troy
  [6, 622126, 622925, L16_19], // Discover co-branded UnionPay
  [4, 3528, 3589, L16_19], // JCB
  [3, 300, 305, L14_19], // Diners Club International (processed by Discover)
  [4, 3095, 3095, L14_19],
  [2, 36, 36, L14_19],
  [2, 38, 39, L14_19],
  [2, 62, 62, L16_19], // UnionPay
  [4, 8100, 8171, L16_19], // UnionPay 81-series
  [4, 5018, 5018, L12_19], // Maestro (12–19 digits)
  [4, 5020, 5020, L12_19],
  [4, 5038, 5038, L12_19],
  [4, 5893, 5893, L12_19],
  [4, 6304, 6304, L12_19],
  [4, 6759, 6759, L12_19],
  [4, 6761, 6763, L12_19],
  [4, 5019, 5019, [16]], // Dankort
  [4, 2200, 2204, L16_19], // Mir
  [2, 60, 60, [16]], // RuPay (and Hipercard 606282)
  [2, 81, 82, [16]], // RuPay
  [3, 508, 508, [16]],
  [3, 353, 353, [16]],
  [3, 356, 356, [16]],
  [4, 9792, 9792, [16]], // Troy
  [6, 506099, 506198, [16, 18, 19]], // Verve
  [6, 507865, 507964, [16, 18, 19]],
  [6, 650002, 650027, [16, 18, 19]],
  [3, 636, 639, L16_19], // InterPayment, InstaPayment
  [4, 8600, 8600, [16]], // UzCard
  [4, 9860, 9860, [16]], // Humo
];

function knownIssuer(pan: string): boolean {
  for (const [prefixLength, first, last, lengths] of IIN_RANGES) {
    if (!lengths.includes(pan.length)) continue;
    const prefix = Number(pan.slice(0, prefixLength));
    if (prefix >= first && prefix <= last) return true;
  }
  return false;
}

/** A card under a key that says nothing: printed grouping, a known IIN at its length, Luhn. */
export function isPaymentCard(candidate: string): boolean {
  const value = prepare(candidate, 40);
  if (value === null || isHexHashOrUuid(value)) return false;
  const pan = joinDigitGroups(value, ' -', 3, 8);
  if (pan === null || pan.length < 12 || pan.length > 19) return false;
  // A bare 13-digit number starting with 1 is an epoch-milliseconds timestamp (2001–2286).
  if (pan.length === 13 && pan.startsWith('1')) return false;
  if (isAllSameChar(pan) || isSequentialDigits(pan)) return false;
  return knownIssuer(pan) && luhnValid(pan);
}

const CARD_SEPARATOR = /[ .-]/g;
const KEYED_CARD = /^\d(?:[ .-]?\d){11,18}$/;

/**
 * A card under a key that says card: 12–19 digits in any grouping of spaces, dots or dashes,
 * passing Luhn. No issuer check (the key names the thing; new and private-label ranges count).
 * Placeholders (all one digit, 1234…) are still refused.
 */
export function isKeyedPaymentCard(candidate: string): boolean {
  const value = prepare(candidate, 48);
  if (value === null || !KEYED_CARD.test(value)) return false;
  const pan = value.replace(CARD_SEPARATOR, '');
  if (isAllSameChar(pan) || isSequentialDigits(pan)) return false;
  return luhnValid(pan);
}
