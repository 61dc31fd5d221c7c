/**
 * National identifier validators, by name. Each named validator accepts one country's identifier
 * as people write it (under a key that names it); the `*_by_value` ones accept only the written
 * forms whose check digit makes a false alarm unlikely, for scanning values under keys that say
 * nothing: bare digit strings only where the checksum and an embedded date leave few random
 * numbers through, otherwise the official grouping (`943 476 5919`, `2345 6789 0123`).
 */
import type { Validator } from '../types.js';
import { isCanadianSin, isSouthAfricanId, isUsItin, isUsMbi } from './americas-africa.js';
import { isAadhaar, isAustralianMedicare, isAustralianTfn, isIndianEpic, isIndianPan, isKoreanRrn, isSingaporeNric, isThaiNationalId } from './asia-pacific.js';
import {
  isCodiceFiscale,
  isFinnishHetu,
  isKrankenversichertennummer,
  isNhsNumber,
  isPesel,
  isRentenversicherungsnummer,
  isSpanishDniNie,
  isSteuerId,
  isSwedishPersonnummer,
  isTurkishTckn,
  isUkDrivingLicence,
} from './europe.js';

const MAX_LENGTH = 32;

/** Trims and bounds the candidate; the validators see only plausible-length strings. */
function bounded(check: (value: string) => boolean): Validator {
  return (candidate: string) => {
    if (typeof candidate !== 'string' || candidate.length > MAX_LENGTH) return false;
    const value = candidate.trim();
    return value.length >= 8 && check(value);
  };
}

const hasSeparator = (v: string) => v.includes(' ') || v.includes('-') || v.includes(':');
const isDigits = (v: string) => /^\d+$/.test(v);

/**
 * The region of the event being classified (detect/region-hint.ts), set by the detector before an
 * event's leaves, as for national-format phones. A bare digit run whose check digit a random number
 * passes 1 time in 10 or 11 (NHS, SIN, TFN, Medicare, Thai id, EPIC) is read as that country's id
 * only in an event from that country: an order id in a US event is never an NHS number.
 */
let eventRegion: string | null = null;
/** Other regions the event's hints name (a locale of one country, a time zone of another). */
let otherRegions: readonly string[] = [];

/**
 * Sets the region bare national ids of the current event are read in (null: none), and the other
 * regions its hints name: an id is read in any of them.
 */
export function setEventIdRegion(region: string | null, others: readonly string[] = []): void {
  eventRegion = region;
  otherRegions = others;
}

/** Whether the current event comes from `region` by any of its hints. */
const from = (region: string) => eventRegion === region || (otherRegions.length !== 0 && otherRegions.includes(region));

/** NHS England, Wales and Isle of Man numbers are issued from 400 000 000 0-499 999 999 9 and 600 000 000 0-799 999 999 9 (NHS Data Dictionary). */
const isIssuedNhsRange = (d: string) => d[0] === '4' || d[0] === '6' || d[0] === '7';

/**
 * National and tax ids found by value: each form here has a check digit (and most a date) that a
 * random string of its shape passes at most 1 time in 10, usually far less.
 */
function isNationalIdByValue(v: string): boolean {
  const first = v.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    if (v.length === 11 && /^\d+$/.test(v)) return isPesel(v) || isTurkishTckn(v) || isSteuerId(v);
    if (v.length === 13 && /^\d+$/.test(v)) return isSouthAfricanId(v) || (from('TH') && isThaiNationalId(v));
    // Bare 9 digits: a SIN in a Canadian event, a TFN in an Australian one (see eventRegion).
    if (v.length === 9 && isDigits(v)) return (from('CA') && isCanadianSin(v)) || (from('AU') && isAustralianTfn(v));
    const last = v.charCodeAt(v.length - 1);
    // A DNI ends in its control letter (`12345678Z`, `12345678-Z`).
    if (last >= 65 && isSpanishDniNie(v)) return true;
    // A 12-digit personnummer carries its century (19/20), birth date and Luhn digit.
    if (v.length === 12 && /^(?:19|20)\d+$/.test(v)) return isSwedishPersonnummer(v);
    // A HETU's century sign may be a letter (`010805A009N`).
    if (!hasSeparator(v)) return isRentenversicherungsnummer(v) || isFinnishHetu(v);
    // Grouped as their issuers print them: a separator is part of the evidence. A 9-digit SIN or
    // TFN with spaces, as printed on the card, in any event; dashed 3-3-3 runs are ticket and order
    // numbers too (one in five passes one of the two checks), read as a SIN or TFN only in an event
    // from Canada or Australia. The two share the printed 3-3-3 form and both checks are weak (1 in
    // 10 and 1 in 11), so in an event from one of the two countries the form is read as that
    // country's number only: a mistyped TFN in an Australian event is not a SIN by chance.
    return (
      ((from('CA') || (v.includes(' ') && !from('AU'))) && isCanadianSin(v)) ||
      ((from('AU') || (v.includes(' ') && !from('CA'))) && isAustralianTfn(v)) ||
      isAadhaar(v) ||
      isFinnishHetu(v) ||
      isKoreanRrn(v, true) ||
      isSwedishPersonnummer(v) ||
      isSteuerId(v) ||
      isThaiNationalId(v) ||
      isSouthAfricanId(v)
    );
  }
  return isSpanishDniNie(v) || isSingaporeNric(v);
}

/** Health ids found by value: the NHS number as the NHS prints it, an Australian Medicare number, a US MBI. */
function isHealthIdByValue(v: string): boolean {
  if (v.length === 10) {
    // A KVNR (letter, nine digits, check digit after the letter's two-digit code), any event; bare
    // 10-digit NHS and Medicare numbers only in events from their country (see eventRegion).
    if (v.charCodeAt(0) >= 65) return isKrankenversichertennummer(v);
    if (!isDigits(v)) return false;
    return (from('GB') && isIssuedNhsRange(v) && isNhsNumber(v)) || (from('AU') && isAustralianMedicare(v));
  }
  if (v.includes(' ') && isNhsNumber(v)) return true;
  // Dashed 3-3-4 is also how US phone numbers are written; read as an NHS number only in an event
  // from the UK, and only in the issued ranges.
  if (from('GB') && v.includes('-') && isIssuedNhsRange(v) && isNhsNumber(v)) return true;
  if (hasSeparator(v) && isAustralianMedicare(v)) return true;
  return isUsMbi(v);
}

/**
 * Indian ids by value: a PAN (the 4th letter a holder type of the Income Tax Department's list:
 * P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local authority, J artificial
 * juridical person, G government), and an Aadhaar number written with colons (Verhoeff check).
 * Never an EPIC voter id: 3 letters and 7 digits with no check digit is every invoice number
 * (`INV1234567`), in Indian events too (measured on the evaluation set); it is found under its
 * keys and after its cue words in text.
 */
function isIndianIdByValue(v: string): boolean {
  if (v.length === 10) return isIndianPan(v);
  return v.length === 14 && v.includes(':') && isAadhaar(v);
}

export const NATIONAL_ID_VALIDATORS: Readonly<Record<string, Validator>> = Object.freeze({
  uk_nhs_number: bounded(isNhsNumber),
  ca_sin: bounded(isCanadianSin),
  au_tfn: bounded(isAustralianTfn),
  au_medicare: bounded(isAustralianMedicare),
  in_aadhaar: bounded(isAadhaar),
  in_pan: bounded(isIndianPan),
  in_epic: bounded(isIndianEpic),
  es_dni_nie: bounded(isSpanishDniNie),
  fi_hetu: bounded(isFinnishHetu),
  kr_rrn: bounded((v) => isKoreanRrn(v)),
  pl_pesel: bounded(isPesel),
  se_personnummer: bounded(isSwedishPersonnummer),
  sg_nric: bounded(isSingaporeNric),
  tr_tckn: bounded(isTurkishTckn),
  it_codice_fiscale: bounded(isCodiceFiscale),
  za_id: bounded(isSouthAfricanId),
  de_steuer_id: bounded(isSteuerId),
  de_rvnr: bounded(isRentenversicherungsnummer),
  de_kvnr: bounded(isKrankenversichertennummer),
  th_national_id: bounded(isThaiNationalId),
  us_itin: bounded(isUsItin),
  us_mbi: bounded(isUsMbi),
  uk_driving_licence: bounded(isUkDrivingLicence),
  national_id_by_value: bounded(isNationalIdByValue),
  health_id_by_value: bounded(isHealthIdByValue),
  in_id_by_value: bounded(isIndianIdByValue),
});

/** One value each validator accepts (the issuers' published specimens where there are any). */
export const NATIONAL_ID_EXAMPLES: Readonly<Record<string, string>> = Object.freeze({
  uk_nhs_number: '943 476 5919',
  ca_sin: '130 692 544',
  au_tfn: '123 456 782',
  au_medicare: '2123 45670 1',
  in_aadhaar: '2345 6789 0124',
  in_pan: 'ABCPE1234F',
  in_epic: 'ABC1234567',
  es_dni_nie: '12345678Z',
  fi_hetu: '131052-308T',
  kr_rrn: '800101-1234567',
  pl_pesel: '44051401359',
  se_personnummer: '811218-9876',
  sg_nric: 'S1234567D',
  tr_tckn: '10000000146',
  it_codice_fiscale: 'RSSMRA85T10A562S',
  za_id: '8001015009087',
  de_steuer_id: '86095742719',
  de_rvnr: '65170839J003',
  de_kvnr: 'A123456780',
  th_national_id: '1-1017-00230-70-8',
  us_itin: '912-70-1234',
  us_mbi: '1EG4-TE5-MK73',
  uk_driving_licence: 'MORGA753116SM9IJ',
  national_id_by_value: '131052-308T',
  health_id_by_value: '943 476 5919',
  in_id_by_value: 'ABCPE1234F',
});
