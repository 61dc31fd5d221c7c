/**
 * National identifiers of Asia and the Pacific: structure and check rule of the issuing body,
 * cited per function. Each takes the whole trimmed candidate as written.
 */
import { allSame, digitAt, grouped, isDate, verhoeff, weightedSum } from './checks.js';

/**
 * Australian Tax File Number (Australian Taxation Office; the check algorithm used by the ATO's
 * software developer specifications): 9 digits (older ones 8), Σ dᵢ·[1,4,3,7,5,8,6,9,10] (8-digit:
 * [10,7,8,4,6,3,5,1]) ≡ 0 mod 11. Printed 3-3-3.
 */
export function isAustralianTfn(value: string): boolean {
  const d = grouped(value, [3, 3, 3], ' -') ?? grouped(value, [3, 3, 2], ' -');
  if (d === null || allSame(d)) return false;
  const weights = d.length === 9 ? [1, 4, 3, 7, 5, 8, 6, 9, 10] : [10, 7, 8, 4, 6, 3, 5, 1];
  return weightedSum(d, weights) % 11 === 0;
}

/**
 * Australian Medicare card number (Services Australia, Medicare Online / PBS developer check-digit
 * rule): 10 digits (11 with the individual reference number), printed 4-5-1; the first is 2–6, the
 * 9th is Σ d₁..d₈·[1,3,7,9,1,3,7,9] mod 10 and the 10th (issue number) is not 0.
 */
export function isAustralianMedicare(value: string): boolean {
  const d = grouped(value, [4, 5, 1], ' -') ?? grouped(value, [4, 5, 1, 1], ' -') ?? grouped(value, [4, 5, 2], ' -');
  if (d === null || d[0]! < '2' || d[0]! > '6' || d[9] === '0') return false;
  return weightedSum(d, [1, 3, 7, 9, 1, 3, 7, 9]) % 10 === digitAt(d, 8);
}

/**
 * Indian Aadhaar number (UIDAI, "Aadhaar numbering scheme"): 12 digits, the first 2–9, the last a
 * Verhoeff check digit. Written 4-4-4 with spaces, dashes or colons.
 */
export function isAadhaar(value: string): boolean {
  const d = grouped(value, [4, 4, 4], ' -:');
  if (d === null || d[0]! < '2' || allSame(d)) return false;
  return verhoeff(d);
}

/**
 * Indian Permanent Account Number (Income Tax Department, Income-tax Act 1961 s.139A, Rule 114):
 * 5 letters, 4 digits, a letter; the 4th letter is the holder type (P person, C company, H HUF,
 * F firm, A AOP, T trust, B BOI, L local authority, J artificial juridical person, G government).
 * Its last letter is a check character whose rule is not published.
 */
export function isIndianPan(value: string): boolean {
  return /^[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]$/.test(value.toUpperCase()) && !/^\D*0000/.test(value);
}

/**
 * Indian voter id, EPIC (Election Commission of India, Electors Photo Identity Card): 3 letters and
 * 7 digits in the current series. No published check digit.
 */
export function isIndianEpic(value: string): boolean {
  const v = value.replace(/[ /-]/g, '').toUpperCase();
  return /^[A-Z]{3}\d{7}$/.test(v) && !allSame(v.slice(3));
}

/**
 * Korean resident registration number, 주민등록번호 (Resident Registration Act; Ministry of the
 * Interior and Safety) and foreigner registration number, 외국인등록번호 (Immigration Act art. 31):
 * YYMMDD, `-`, a sex/century digit (1–4 citizens born 1900–2099, 9/0 born 1800s; 5–8 foreigners)
 * and 6 more digits. Numbers issued before October 2020 end in a check digit
 * (11 − Σ dᵢ·[2,3,4,5,6,7,8,9,2,3,4,5] mod 11) mod 10; later ones are random, so `checksum` says
 * whether to insist on it (value scanning does; a value under a matching key need not).
 */
export function isKoreanRrn(value: string, checksum = false): boolean {
  const m = /^(\d{2})(\d{2})(\d{2})[- ]?([0-9])(\d{6})$/.exec(value);
  if (m === null) return false;
  const s = Number(m[4]);
  const century = s === 9 || s === 0 ? 1800 : s === 1 || s === 2 || s === 5 || s === 6 ? 1900 : 2000;
  if (!isDate(century + Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (!checksum) return true;
  const d = m[1]! + m[2]! + m[3]! + m[4]! + m[5]!;
  if (allSame(m[5]!)) return false;
  return (11 - (weightedSum(d, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]) % 11)) % 10 === digitAt(d, 12);
}

const NRIC_CITIZEN = 'JZIHGFEDCBA';
const NRIC_FOREIGNER = 'XWUTRQPNMLK';
const NRIC_M = 'XWUTRQPNJLK';

/**
 * Singapore NRIC and FIN (Immigration & Checkpoints Authority, National Registration Act): a
 * prefix (S/T citizens and PRs born before/from 2000, F/G foreigners before/from 2000, M from
 * 2022), 7 digits and a check letter: Σ dᵢ·[2,7,6,5,4,3,2] plus 4 for T and G (3 for M), mod 11,
 * looked up in JZIHGFEDCBA (S/T), XWUTRQPNMLK (F/G) or XWUTRQPNJLK (M).
 */
export function isSingaporeNric(value: string): boolean {
  const v = value.toUpperCase();
  const m = /^([STFGM])(\d{7})([A-Z])$/.exec(v);
  if (m === null) return false;
  const prefix = m[1]!;
  const offset = prefix === 'T' || prefix === 'G' ? 4 : prefix === 'M' ? 3 : 0;
  const r = (weightedSum(m[2]!, [2, 7, 6, 5, 4, 3, 2]) + offset) % 11;
  const table = prefix === 'S' || prefix === 'T' ? NRIC_CITIZEN : prefix === 'M' ? NRIC_M : NRIC_FOREIGNER;
  return table[r] === m[3];
}

/**
 * Thai national identification number, เลขประจำตัวประชาชน (Department of Provincial
 * Administration, DOPA): 13 digits written 1-2345-67890-12-3, the first 1–8; the last is
 * (11 − Σ d₁..d₁₂·[13..2] mod 11) mod 10.
 */
export function isThaiNationalId(value: string): boolean {
  const d = grouped(value, [1, 4, 5, 2, 1], ' -');
  if (d === null || d[0] === '0' || d[0] === '9' || allSame(d)) return false;
  return (11 - (weightedSum(d, [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11)) % 10 === digitAt(d, 12);
}
