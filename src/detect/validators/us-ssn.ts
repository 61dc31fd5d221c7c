/**
 * `us_ssn` — US Social Security Numbers, `AAA-GG-SSSS`, written with dashes, dots, spaces (one kind
 * throughout) or as 9 bare digits. The rules are the SSA's as applied since SSN randomization
 * (25 June 2011, SSA "Social Security Number Randomization"): area numbers are no longer tied to a
 * state and the former high-group order is gone, so every area is issued except 000, 666 and
 * 900–999; group 00 and serial 0000 are never issued. Widely published sample numbers are refused.
 *
 * Area 9xx belongs to the IRS: ITINs (group 50–65, 70–88, 90–92, 94–99) and adoption numbers are
 * not SSNs, and this validator refuses them (ITINs have their own classifier).
 */
import { isAllSameChar, isSequentialDigits, prepare } from './common.js';

const SSN = /^(\d{3})([-. ]?)(\d{2})\2(\d{4})$/;

/**
 * Numbers printed in ads, wallets and documentation: 078-05-1120 (Woolworth wallet insert, SSA:
 * "the most misused SSN"), 219-09-9999 (SSA pamphlet), 457-55-5462 (LifeLock advert), 123-45-6789
 * (the textbook example). 987-65-4320…4329, the SSA's range for advertisements, is area 9xx.
 */
const SAMPLE_NUMBERS: ReadonlySet<string> = new Set(['078051120', '219099999', '457555462', '123456789']);

export function isUsSsn(candidate: string): boolean {
  const value = prepare(candidate, 16);
  if (value === null) return false;
  const m = SSN.exec(value);
  if (m === null) return false;
  const area = m[1] as string;
  const group = m[3] as string;
  const serial = m[4] as string;
  const digits = area + group + serial;
  if (area === '000' || area === '666' || area.charCodeAt(0) === 57 /* 9xx: IRS numbers (ITIN, ATIN) */) return false;
  if (group === '00' || serial === '0000') return false;
  if (isAllSameChar(digits) || isSequentialDigits(digits)) return false;
  return !SAMPLE_NUMBERS.has(digits);
}
