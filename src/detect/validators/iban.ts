/**
 * `iban` — International Bank Account Numbers, ISO 13616-1: a country code, two check digits and
 * the country's BBAN. Checked against the SWIFT IBAN Registry (the ISO 13616 registration
 * authority's list of every country that issues IBANs): the country's length and BBAN layout, each
 * position numeric, alphabetic or alphanumeric as the registry says (SA, BH, MD, LB, GI, KZ … carry
 * letters in the account part). Then the check digits (02–98) and ISO/IEC 7064 MOD 97-10.
 *
 * Written as people write them: the electronic form, the print form in groups of four, groups
 * separated by dashes (one separator kind throughout), lowercase; and in text, an IBAN followed by
 * a capitalised word (`… 0130 00 Berlin`, `… 00 BERLIN`), which a pattern cannot tell from the BBAN.
 */
import { prepare } from './common.js';

/**
 * BBAN layout per country in the registry's notation: `4!a14!c` = 4 letters, then 14 alphanumerics
 * (`n` digits, `a` upper-case letters, `c` alphanumerics). SWIFT IBAN Registry, release 99 (2025).
 */
const BBAN_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  AD: '4!n4!n12!c',
  AE: '3!n16!n',
  AL: '8!n16!c',
  AT: '5!n11!n',
  AZ: '4!a20!c',
  BA: '3!n3!n8!n2!n',
  BE: '3!n7!n2!n',
  BG: '4!a4!n2!n8!c',
  BH: '4!a14!c',
  BI: '5!n5!n11!n2!n',
  BR: '8!n5!n10!n1!a1!c',
  BY: '4!c4!n16!c',
  CH: '5!n12!c',
  CR: '4!n14!n',
  CY: '3!n5!n16!c',
  CZ: '4!n6!n10!n',
  DE: '8!n10!n',
  DJ: '5!n5!n11!n2!n',
  DK: '4!n9!n1!n',
  DO: '4!c20!n',
  EE: '2!n2!n11!n1!n',
  EG: '4!n4!n17!n',
  ES: '4!n4!n1!n1!n10!n',
  FI: '3!n11!n',
  FK: '2!a12!n',
  FO: '4!n9!n1!n',
  FR: '5!n5!n11!c2!n',
  GB: '4!a6!n8!n',
  GE: '2!a16!n',
  GI: '4!a15!c',
  GL: '4!n9!n1!n',
  GR: '3!n4!n16!c',
  GT: '4!c20!c',
  HN: '4!a20!n',
  HR: '7!n10!n',
  HU: '3!n4!n1!n15!n1!n',
  IE: '4!a6!n8!n',
  IL: '3!n3!n13!n',
  IQ: '4!a3!n12!n',
  IS: '4!n2!n6!n10!n',
  IT: '1!a5!n5!n12!c',
  JO: '4!a4!n18!c',
  KW: '4!a22!c',
  KZ: '3!n13!c',
  LB: '4!n20!c',
  LC: '4!a24!c',
  LI: '5!n12!c',
  LT: '5!n11!n',
  LU: '3!n13!c',
  LV: '4!a13!c',
  LY: '3!n3!n15!n',
  MC: '5!n5!n11!c2!n',
  MD: '2!c18!c',
  ME: '3!n13!n2!n',
  MK: '3!n10!c2!n',
  MN: '4!n12!n',
  MR: '5!n5!n11!n2!n',
  MT: '4!a5!n18!c',
  MU: '4!a2!n2!n12!n3!n3!a',
  NI: '4!a20!n',
  NL: '4!a10!n',
  NO: '4!n6!n1!n',
  OM: '3!n16!c',
  PK: '4!a16!c',
  PL: '8!n16!n',
  PS: '4!a21!c',
  PT: '4!n4!n11!n2!n',
  QA: '4!a21!c',
  RO: '4!a16!c',
  RS: '3!n13!n2!n',
  RU: '9!n5!n15!c',
  SA: '2!n18!c',
  SC: '4!a2!n2!n16!n3!a',
  SD: '2!n12!n',
  SE: '3!n16!n1!n',
  SI: '5!n8!n2!n',
  SK: '4!n6!n10!n',
  SM: '1!a5!n5!n12!c',
  SO: '4!n3!n12!n',
  ST: '4!n4!n11!n2!n',
  SV: '4!a20!n',
  TL: '3!n14!n2!n',
  TN: '2!n3!n13!n2!n',
  TR: '5!n1!n16!c',
  UA: '6!n19!c',
  VA: '3!n15!n',
  VG: '4!a16!n',
  XK: '4!n10!n2!n',
  YE: '4!a4!n18!c',
});

/** IBAN length per country, as the registry lists it (a test checks it against the BBAN layouts). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
});

/** Character classes, one per BBAN position: 0 digit, 1 letter, 2 either. */
const DIGIT = 0;
const LETTER = 1;
const EITHER = 2;

/** Expands `4!a14!c` into one class per position. */
export function bbanLayout(format: string): Uint8Array {
  const classes: number[] = [];
  for (const [, count, kind] of format.matchAll(/(\d+)!([nac])/g)) {
    const cls = kind === 'n' ? DIGIT : kind === 'a' ? LETTER : EITHER;
    for (let i = 0; i < Number(count); i++) classes.push(cls);
  }
  return Uint8Array.from(classes);
}

const LAYOUTS: ReadonlyMap<string, Uint8Array> = new Map(Object.entries(BBAN_FORMATS).map(([country, format]) => [country, bbanLayout(format)]));

/** Countries in the registry (for tests and documentation). */
export function ibanCountries(): string[] {
  return [...LAYOUTS.keys()];
}

/** ISO 7064 MOD 97-10 over the rearranged IBAN (letters A=10 … Z=35), computed digit by digit. */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 65 /* A */) {
      remainder = (remainder * 100 + (code - 55)) % 97;
    } else {
      remainder = (remainder * 10 + (code - 48)) % 97;
    }
  }
  return remainder;
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The IBAN's characters (upper case, separators removed), or null when the written form is not one:
 * single spaces or single dashes between characters (one kind), and past the country's length
 * nothing, or a separator and a capitalised word.
 */
function electronicForm(value: string): string | null {
  if (value.length < 4) return null;
  const country = value.slice(0, 2).toUpperCase();
  const expected = IBAN_LENGTHS[country];
  if (expected === undefined) return null;
  let out = '';
  let separator = 0;
  let previousWasSeparator = true;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isAlnum(code)) {
      if (out.length === expected) return null; // more characters glued on
      out += value[i]!;
      previousWasSeparator = false;
      continue;
    }
    if ((code !== 32 && code !== 45) || previousWasSeparator || (separator !== 0 && code !== separator)) return null;
    separator = code;
    previousWasSeparator = true;
    if (out.length === expected) {
      // Complete: what follows must be a capitalised word (`Berlin`, `BERLIN`), not more characters.
      const next = value.charCodeAt(i + 1);
      return next >= 65 && next <= 90 ? out.toUpperCase() : null;
    }
  }
  return out.length === expected && !previousWasSeparator ? out.toUpperCase() : null;
}

export function isIban(candidate: string): boolean {
  const value = prepare(candidate, 96);
  if (value === null) return false;
  const iban = electronicForm(value);
  if (iban === null) return false;
  const layout = LAYOUTS.get(iban.slice(0, 2))!;
  const c0 = iban.charCodeAt(2);
  const c1 = iban.charCodeAt(3);
  if (c0 < 48 || c0 > 57 || c1 < 48 || c1 > 57) return false;
  const check = (c0 - 48) * 10 + (c1 - 48);
  if (check < 2 || check > 98) return false;
  for (let i = 0; i < layout.length; i++) {
    const code = iban.charCodeAt(4 + i);
    const digit = code >= 48 && code <= 57;
    const cls = layout[i]!;
    if (cls === DIGIT ? !digit : cls === LETTER ? digit : false) return false;
  }
  return mod97(iban) === 1;
}
