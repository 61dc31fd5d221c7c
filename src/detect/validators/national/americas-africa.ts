/**
 * National identifiers of the Americas and Africa: structure and check rule of the issuing body,
 * cited per function. Each takes the whole trimmed candidate as written.
 */
import { allSame, grouped, isDate, luhn } from './checks.js';

/**
 * Canadian Social Insurance Number (Employment and Social Development Canada): 9 digits printed
 * 3-3-3, Luhn-valid; the first digit is the province or type of issue, never 0 or 8 (9 is a
 * temporary-resident SIN).
 */
export function isCanadianSin(value: string): boolean {
  const d = grouped(value, [3, 3, 3], ' -');
  if (d === null || d[0] === '0' || d[0] === '8' || allSame(d)) return false;
  return luhn(d);
}

/**
 * South African identity number (Department of Home Affairs, Identification Act 68 of 1997):
 * YYMMDD, a 4-digit sequence (0000–4999 female, 5000–9999 male), citizenship (0 citizen, 1
 * permanent resident, 2 refugee), a digit that is 8 or 9 today, and a Luhn check digit.
 */
export function isSouthAfricanId(value: string): boolean {
  const d = grouped(value, [6, 4, 1, 1, 1], ' -') ?? grouped(value, [6, 4, 3], ' -');
  if (d === null || allSame(d)) return false;
  if (!isDate(null, Number(d.slice(2, 4)), Number(d.slice(4, 6)))) return false;
  if (d[10]! > '2') return false;
  return luhn(d);
}

/**
 * US Individual Taxpayer Identification Number (IRS, Publication 1915 and the ITIN range
 * expansions of 2011 and 2013): 9XX-GG-SSSS with the group GG in 50–65, 70–88, 90–92 or 94–99.
 * There is no check digit; the ranges do not overlap any SSN (SSNs never start with 9).
 */
export function isUsItin(value: string): boolean {
  const m = /^9(\d{2})([- ]?)(\d{2})\2(\d{4})$/.exec(value);
  if (m === null) return false;
  const g = Number(m[3]);
  if (!((g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99))) return false;
  return !allSame(m[4]!);
}

/**
 * US Medicare Beneficiary Identifier (CMS, "Understanding the Medicare Beneficiary Identifier
 * (MBI) Format"): 11 characters C A AN N A AN N A A N N, where C is 1–9, N 0–9, A a letter other
 * than S L O I B Z, AN either. Sometimes printed with dashes after the 4th and 7th.
 */
export function isUsMbi(value: string): boolean {
  const v = value.toUpperCase();
  const plain = v.length === 13 && v[4] === '-' && v[8] === '-' ? v.slice(0, 4) + v.slice(5, 8) + v.slice(9) : v;
  return /^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y]{2}\d{2}$/.test(plain);
}
