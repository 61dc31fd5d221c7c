/**
 * What each named validator checks and the standard (or issuer's rule) it follows, for
 * `segmentloom classifiers validators`: a classifier author picks a validator by what it
 * accepts, not by its name. Kept next to the registry; a test holds the two to the same names.
 */
export interface ValidatorDescription {
  /** What a value must be to pass, in one line. */
  checks: string;
  /** The standard, registry or issuer rule it applies; null where there is none to cite. */
  standard: string | null;
}

export const VALIDATOR_DESCRIPTIONS: Readonly<Record<string, ValidatorDescription>> = Object.freeze({
  luhn: { checks: 'payment card number: 12–19 digits, card IIN prefix, Luhn check digit', standard: 'ISO/IEC 7812-1 (annex B Luhn)' },
  luhn_keyed: { checks: 'card number under a card key: any 12–19 digits passing Luhn, any grouping', standard: 'ISO/IEC 7812-1 (annex B Luhn)' },
  iban: { checks: 'IBAN: country length and BBAN layout, check digits, MOD 97-10', standard: 'ISO 13616-1, SWIFT IBAN Registry, ISO/IEC 7064' },
  us_ssn: { checks: 'US SSN AAA-GG-SSSS: area not 000/666/900–999, group and serial non-zero', standard: 'SSA SSN Randomization (2011)' },
  ipv4: { checks: 'dotted-quad IPv4, four octets 0–255, no leading zeros, not 0.0.0.0', standard: 'RFC 791' },
  ipv6: { checks: 'IPv6 in any text form (::, embedded IPv4, %zone), not ::', standard: 'RFC 4291, RFC 5952' },
  ip: { checks: 'an IPv4 or IPv6 address (either of the two above)', standard: 'RFC 791, RFC 4291' },
  mac: { checks: '48-bit MAC address with : or - separators or Cisco dotted form; not all-zero or broadcast', standard: 'IEEE 802 (EUI-48)' },
  email: { checks: 'dot-atom local part, hostname ending in a real public suffix, IDNA domains', standard: 'RFC 5322, RFC 5890/5891, Public Suffix List' },
  phone: {
    checks: "phone number valid in its country's numbering plan (+CC anywhere, national forms in default regions)",
    standard: 'ITU-T E.164 (libphonenumber metadata)',
  },
  date_of_birth: { checks: 'real calendar date, not future, year ≥ 1900, age ≤ 120, no time part', standard: 'ISO 8601 dates and common national orders' },
  geo_coordinate: { checks: 'latitude or longitude with ≥ 3 decimals within ±180, not 0', standard: 'WGS 84 decimal degrees' },
  geo_pair: { checks: '"lat,lng" text pair: latitude within ±90, longitude within ±180, not 0,0', standard: 'WGS 84 decimal degrees' },
  imei: { checks: '15-digit IMEI with Luhn check digit; not fillers or 34/37 (card) prefixes', standard: '3GPP TS 23.003, GSMA IMEI allocation' },
  uuid_nonzero: { checks: 'canonical 8-4-4-4-12 UUID that is not the nil or max UUID', standard: 'RFC 9562' },
  device_id: { checks: 'device identifier: 8–128 letters, digits, - _ :, a digit, not one repeated character', standard: null },
  bank_account: { checks: 'domestic account number: 6–17 digits, not runs or repeats (with a key match only)', standard: 'ABA account lengths' },
  passport: { checks: 'passport number shape: 6–9 letters/digits with a digit (with a key match only)', standard: 'ICAO Doc 9303 document number field' },
  drivers_license: { checks: "driver's licence shape: 5–20 letters/digits, ≥ 2 digits (with a key match only)", standard: null },
  postal_code: { checks: 'US ZIP(+4), UK, Canadian, 4–6 digit and common punctuated postal codes', standard: 'USPS, Royal Mail, Canada Post formats' },
  uk_nhs_number: { checks: 'NHS number: 10 digits, modulus 11 check digit', standard: 'NHS Data Dictionary' },
  ca_sin: { checks: 'Canadian Social Insurance Number: 9 digits, Luhn check digit', standard: 'Employment and Social Development Canada' },
  au_tfn: { checks: 'Australian Tax File Number: 9 digits, weighted modulus 11', standard: 'Australian Taxation Office' },
  au_medicare: { checks: 'Australian Medicare number: 10–11 digits, weighted check digit', standard: 'Services Australia' },
  in_aadhaar: { checks: 'Aadhaar: 12 digits not starting 0/1, Verhoeff check digit', standard: 'UIDAI' },
  in_pan: { checks: 'Indian PAN: 5 letters (4th the holder type), 4 digits, a letter', standard: 'Income Tax Department of India' },
  in_epic: { checks: 'Indian voter id (EPIC): 3 letters and 7 digits, no check digit (key match only)', standard: 'Election Commission of India' },
  es_dni_nie: { checks: 'Spanish DNI or NIE: 8 digits (NIE X/Y/Z prefix) and the mod 23 control letter', standard: 'Real Decreto 1553/2005' },
  fi_hetu: {
    checks: 'Finnish personal identity code: birth date, century sign, mod 31 check character',
    standard: 'Digital and Population Data Services Agency',
  },
  kr_rrn: { checks: 'Korean Resident Registration Number: birth date, sex digit, check digit', standard: 'Korean Resident Registration Act' },
  pl_pesel: { checks: 'PESEL: 11 digits with encoded birth date and weighted check digit', standard: 'Polish Ministry of Digital Affairs' },
  se_personnummer: { checks: 'Swedish personnummer/samordningsnummer: birth date and Luhn digit', standard: 'Skatteverket' },
  sg_nric: { checks: 'Singapore NRIC/FIN: prefix letter, 7 digits, weighted check letter', standard: 'Immigration & Checkpoints Authority' },
  tr_tckn: { checks: 'Turkish identity number: 11 digits, two check digits', standard: 'Turkish General Directorate of Civil Registration' },
  it_codice_fiscale: { checks: 'Italian codice fiscale: 16 characters, encoded birth date, check letter', standard: 'DM 23/12/1976 (Agenzia delle Entrate)' },
  za_id: { checks: 'South African ID number: 13 digits, birth date, Luhn check digit', standard: 'Department of Home Affairs' },
  de_steuer_id: { checks: 'German tax id (IdNr): 11 digits, digit-repeat rule, ISO 7064 MOD 11,10', standard: 'Bundeszentralamt für Steuern, ISO/IEC 7064' },
  de_rvnr: { checks: 'German pension insurance number: area, birth date, letter, serial, check digit', standard: 'Deutsche Rentenversicherung (VKVV)' },
  de_kvnr: { checks: 'German health insurance number: letter, 8 digits, check digit', standard: 'GKV-Spitzenverband' },
  th_national_id: { checks: 'Thai national id: 13 digits, weighted mod 11 check digit', standard: 'Thai Department of Provincial Administration' },
  us_itin: { checks: 'US ITIN: 9XX-XX-XXXX with the IRS group ranges', standard: 'IRS' },
  us_mbi: { checks: 'US Medicare Beneficiary Identifier: 11 characters in the CMS position rules', standard: 'CMS MBI format' },
  uk_driving_licence: { checks: 'UK (DVLA) driving licence number: surname, birth date, initials, check characters', standard: 'DVLA' },
  national_id_by_value: {
    checks: 'national and tax ids whose written form and check digit make a false alarm unlikely (no key needed)',
    standard: 'the issuers of the national validators above',
  },
  health_id_by_value: { checks: 'health ids by value: NHS number as printed, Medicare, US MBI, German KVNR', standard: 'NHS, Services Australia, CMS, GKV' },
  in_id_by_value: {
    checks: 'Indian ids by value: PAN with a valid holder type, Aadhaar written with colons',
    standard: 'Income Tax Department of India, UIDAI',
  },
});
