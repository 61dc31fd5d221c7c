/**
 * European national identifiers. Each validator takes the whole candidate (trimmed, as written)
 * and applies the issuing body's published structure and check rule, cited per function.
 */
import { allSame, digitAt, digitsOnly, grouped, isDate, iso7064Mod11_10, luhn, weightedSum } from './checks.js';

/**
 * UK NHS number (NHS England, NHS Data Dictionary "NHS Number"): 10 digits, printed 3-3-4; the
 * 10th is a modulus 11 check over the first nine weighted 10..2 (11 → 0; 10 is never issued).
 */
export function isNhsNumber(value: string): boolean {
  const d = grouped(value, [3, 3, 4], ' -');
  if (d === null || allSame(d)) return false;
  let check = 11 - (weightedSum(d, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === digitAt(d, 9);
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/**
 * Spanish DNI and NIE (Real Decreto 1553/2005 art. 11; Orden INT/2058/2008 for the NIE): 8 digits
 * (DNI) or X/Y/Z + 7 digits (NIE, the letter read as 0/1/2), then the control letter
 * TRWAGMYFPDXBNJZSQVHLCKE[number mod 23].
 */
export function isSpanishDniNie(value: string): boolean {
  const m = /^([XYZ]?)-?(\d{7,8})[- ]?([A-Z])$/i.exec(value);
  if (m === null) return false;
  const prefix = m[1]!.toUpperCase();
  const digits = m[2]!;
  if (prefix === '' ? digits.length !== 8 : digits.length !== 7) return false;
  if (allSame(digits)) return false;
  const n = Number((prefix === '' ? '' : String('XYZ'.indexOf(prefix))) + digits);
  return DNI_LETTERS[n % 23] === m[3]!.toUpperCase();
}

const HETU_CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const HETU_CENTURY: Readonly<Record<string, number>> = {
  '+': 1800,
  '-': 1900,
  Y: 1900,
  X: 1900,
  W: 1900,
  V: 1900,
  U: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
};

/**
 * Finnish personal identity code, henkilötunnus (Digital and Population Data Services Agency,
 * DVV; century signs per Decree 128/2010 as amended 2023): DDMMYY, a century sign, a 3-digit
 * individual number 002–899 (900–999 temporary), and the check character
 * 0123456789ABCDEFHJKLMNPRSTUVWXY[DDMMYYNNN mod 31].
 */
export function isFinnishHetu(value: string): boolean {
  const m = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/i.exec(value);
  if (m === null) return false;
  const century = HETU_CENTURY[m[4]!.toUpperCase()];
  if (century === undefined) return false;
  if (!isDate(century + Number(m[3]), Number(m[2]), Number(m[1]))) return false;
  const individual = Number(m[5]);
  if (individual < 2) return false;
  const n = Number(m[1]! + m[2]! + m[3]! + m[5]!);
  return HETU_CHECK[n % 31] === m[6]!.toUpperCase();
}

/**
 * Polish PESEL (Ustawa o ewidencji ludności, 2010; Ministry of Digital Affairs): YYMMDD with the
 * century in the month (+80 1800s, +0 1900s, +20 2000s, +40 2100s, +60 2200s), a 4-digit serial,
 * and a check digit (10 − Σ dᵢ·[1,3,7,9,1,3,7,9,1,3] mod 10) mod 10.
 */
export function isPesel(value: string): boolean {
  if (!/^\d{11}$/.test(value) || allSame(value)) return false;
  const mm = Number(value.slice(2, 4));
  const offset = Math.floor(mm / 20) * 20;
  const century = [1900, 2000, 2100, 2200, 1800][offset / 20]!;
  if (!isDate(century + Number(value.slice(0, 2)), mm - offset, Number(value.slice(4, 6)))) return false;
  return (10 - (weightedSum(value, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10 === digitAt(value, 10);
}

/**
 * Swedish personnummer and samordningsnummer (Skatteverket, SKV 704; Folkbokföringslag
 * 1991:481 §18): [YY]YYMMDD, `-` (or `+` from the 100th birthday), NNN and a Luhn check digit over
 * the 10-digit YYMMDDNNNC. A samordningsnummer adds 60 to the day.
 */
export function isSwedishPersonnummer(value: string): boolean {
  const m = /^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})$/.exec(value);
  if (m === null) return false;
  const century = m[1];
  if (century !== undefined && century !== '18' && century !== '19' && century !== '20') return false;
  let day = Number(m[4]);
  if (day > 60) day -= 60;
  if (!isDate(century === undefined ? null : Number(century + m[2]), Number(m[3]), day)) return false;
  const ten = m[2]! + m[3]! + m[4]! + m[6]!;
  return !allSame(ten) && luhn(ten);
}

/**
 * Turkish identity number, T.C. Kimlik No (Nüfus ve Vatandaşlık İşleri, NVİ): 11 digits, the
 * first not 0; d10 = (7·(d1+d3+d5+d7+d9) − (d2+d4+d6+d8)) mod 10 and d11 = (d1+…+d10) mod 10.
 */
export function isTurkishTckn(value: string): boolean {
  if (!/^[1-9]\d{10}$/.test(value) || allSame(value)) return false;
  const d = (i: number) => digitAt(value, i);
  const odd = d(0) + d(2) + d(4) + d(6) + d(8);
  const even = d(1) + d(3) + d(5) + d(7);
  if ((((odd * 7 - even) % 10) + 10) % 10 !== d(9)) return false;
  return (odd + even + d(9)) % 10 === d(10);
}

// Codice fiscale (DM 23 dicembre 1976 and DPR 605/1973, Agenzia delle Entrate), odd-position values.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
const CF_MONTHS = 'ABCDEHLMPRST';
// Omocodia: a digit position may hold L=0 M=1 N=2 P=3 Q=4 R=5 S=6 T=7 U=8 V=9 when codes collide.
const CF_OMOCODE = 'LMNPQRSTUV';

/**
 * Italian codice fiscale (DM 23/12/1976, Ministero delle Finanze): 3+3 letters of surname and
 * name, YY, a month letter (ABCDEHLMPRST), DD (+40 for women), a cadastral code (letter + 3
 * digits), and a check letter: Σ over the 15 characters of the odd-position table (1st, 3rd, …)
 * and the even-position value (0–9, A–Z → 0–25), mod 26, as A–Z.
 */
export function isCodiceFiscale(value: string): boolean {
  const v = value.toUpperCase();
  if (!/^[A-Z]{6}[0-9LMNP-V]{2}[A-EHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]$/.test(v)) return false;
  const plain = (s: string) => s.replace(/[LMNP-V]/g, (c) => String(CF_OMOCODE.indexOf(c)));
  const day = Number(plain(v.slice(9, 11)));
  if (!isDate(null, CF_MONTHS.indexOf(v[8]!) + 1, day > 40 ? day - 40 : day)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = v.charCodeAt(i);
    const n = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? CF_ODD[n]! : n;
  }
  return String.fromCharCode(65 + (sum % 26)) === v[15];
}

/**
 * German tax identification number, steuerliche Identifikationsnummer (§ 139b AO; Bundeszentralamt
 * für Steuern): 11 digits, the first not 0; among the first ten exactly one digit occurs twice or
 * three times (never three times in a row) and the others at most once; the 11th is an ISO/IEC
 * 7064 MOD 11,10 check digit. Often written in groups (`12 345 678 901`).
 */
export function isSteuerId(value: string): boolean {
  const d = digitsOnly(value, ' /');
  if (d === null || !/^[1-9]\d{10}$/.test(d)) return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[digitAt(d, i)]!++;
  let repeated = 0;
  for (const count of counts) {
    if (count > 3) return false;
    if (count >= 2) repeated++;
  }
  if (repeated !== 1) return false;
  if (/(\d)\1\1/.test(d.slice(0, 10))) return false;
  return iso7064Mod11_10(d);
}

/** Cross sum of a number 0–99 (the digit sum the DRV and GKV schemes add up). */
const crossSum = (n: number) => Math.floor(n / 10) + (n % 10);

/**
 * German pension insurance number, Rentenversicherungsnummer / Sozialversicherungsnummer (§ 147
 * SGB VI; Versicherungsnummern-, Kontoführungs- und Versicherungsverlaufsverordnung, VKVV § 2):
 * area number (2 digits), birth date DDMMYY, the birth surname's initial, a serial (00–49 men,
 * 50–99 women) and a check digit: the letter becomes its two-digit alphabet position, the 12
 * digits are weighted 2,1,2,5,7,1,2,1,2,1,2,1, the cross sums of the products are added, mod 10.
 */
export function isRentenversicherungsnummer(value: string): boolean {
  const v = value.replace(/ /g, '').toUpperCase();
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})([A-Z])(\d{2})(\d)$/.exec(v);
  if (m === null) return false;
  if (!isDate(null, Number(m[3]), Number(m[2]))) return false;
  const letter = String(m[5]!.charCodeAt(0) - 64).padStart(2, '0');
  const digits = m[1]! + m[2]! + m[3]! + m[4]! + letter + m[6]!;
  const weights = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += crossSum(digitAt(digits, i) * weights[i]!);
  return sum % 10 === Number(m[7]);
}

/**
 * German health insurance number, Krankenversichertennummer (unchangeable part; § 290 SGB V,
 * GKV-Spitzenverband "Richtlinien zur Vergabe der Krankenversichertennummer" Anlage 1): a letter
 * and 9 digits. The letter becomes its two-digit alphabet position; the first 10 digits of that
 * 11-digit string are weighted 1,2,1,2,…, cross sums of the products added, mod 10 = the last digit.
 */
export function isKrankenversichertennummer(value: string): boolean {
  const v = value.toUpperCase();
  if (!/^[A-Z]\d{9}$/.test(v)) return false;
  const digits = String(v.charCodeAt(0) - 64).padStart(2, '0') + v.slice(1);
  if (allSame(v.slice(1))) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += crossSum(digitAt(digits, i) * (i % 2 === 0 ? 1 : 2));
  return sum % 10 === digitAt(digits, 10);
}

/**
 * UK driving licence number (DVLA; the layout described in DVLA form INF 28 and the Road Traffic
 * Act 1988 s.97 licence format): 5 characters of surname padded with 9, the decade digit of the
 * birth year, birth month (+50 for women), day, the year's last digit, 2 initials padded with 9,
 * an arbitrary digit (usually 9) and 2 computer check letters (their algorithm is not published).
 * Optionally followed by the 2-digit issue number.
 */
export function isUkDrivingLicence(value: string): boolean {
  const v = value.replace(/ /g, '').toUpperCase();
  const m = /^([A-Z][A-Z9]{4})(\d)(\d{2})(\d{2})(\d)([A-Z][A-Z9])(\d)([A-Z]{2})(\d{2})?$/.exec(v);
  if (m === null) return false;
  // The surname part is letters then padding: 9 never precedes a letter.
  if (/9[A-Z]/.test(m[1]!) || /9[A-Z]/.test(m[6]!)) return false;
  let month = Number(m[3]);
  if (month > 50) month -= 50;
  return isDate(null, month, Number(m[4]));
}
