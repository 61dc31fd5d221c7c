/**
 * `imei` — 15-digit device IMEIs with a valid Luhn check digit, bare or printed `AA-BBBBBB-CCCCCC-D`
 * (spaces or dashes). Luhn-valid fillers (`000000000000000`) and digit runs are rejected, and so
 * are numbers starting 34/37: American Express card numbers are also 15 Luhn-valid digits, and no
 * IMEI reporting body uses those prefixes.
 */
import { isAllSameChar, isSequentialDigits, luhnValid, prepare } from './common.js';

const AMEX_PREFIX = /^3[47]/;
const IMEI = /^([0-9]{2})([ -]?)([0-9]{6})\2([0-9]{6})\2([0-9])$/;

export function isImei(candidate: string): boolean {
  const value = prepare(candidate, 24);
  if (value === null) return false;
  const m = IMEI.exec(value);
  if (m === null) return false;
  const digits = `${m[1]}${m[3]}${m[4]}${m[5]}`;
  if (isAllSameChar(digits) || isSequentialDigits(digits) || AMEX_PREFIX.test(digits)) return false;
  return luhnValid(digits);
}
