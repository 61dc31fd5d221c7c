/**
 * `us_ssn` — US Social Security Numbers, `AAA-GG-SSSS` or 9 bare digits. Applies the SSA rules for
 * numbers that are never issued (area 000, 666, 900–999; group 00; serial 0000) and rejects
 * placeholder and widely published sample numbers.
 */
import { isAllSameChar, isSequentialDigits, prepare } from './common.js';

const SSN = /^(\d{3})(-?)(\d{2})\2(\d{4})$/;

/**
 * Numbers printed in ads, wallets and documentation: 078-05-1120 (Woolworth wallet insert),
 * 219-09-9999 (SSA pamphlet), 457-55-5462 (LifeLock advert), 123-45-6789 (the textbook example).
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
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (group === '00' || serial === '0000') return false;
  if (isAllSameChar(digits) || isSequentialDigits(digits)) return false;
  return !SAMPLE_NUMBERS.has(digits);
}
