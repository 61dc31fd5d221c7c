import { describe, expect, it } from 'vitest';
import { builtinDetector } from './helpers.js';

// Values from the issuers' published specimens and check rules (NHS Data Dictionary, ATO, CRA,
// Services Australia, Thai DOPA, GKV-Spitzenverband, Income Tax Department, UIDAI), under keys
// that say nothing, in events that do or do not say where they come from.
const GB = { context: { locale: 'en-GB' } };
const US = { context: { locale: 'en-US' } };

describe('bare national ids by value, in an event from their country', () => {
  const bare = [
    ['NHS number', { context: { locale: 'en-GB' } }, '4010232137', 'health_number_by_value'],
    ['Medicare card number', { context: { timezone: 'Australia/Sydney' } }, '2123456701', 'health_number_by_value'],
    ['SIN', { context: { location: { country: 'CA' } } }, '130692544', 'national_id_by_value'],
    ['SIN, dashed', { context: { locale: 'fr-CA' } }, '130-692-544', 'national_id_by_value'],
    ['TFN', { context: { locale: 'en-AU' } }, '123456782', 'national_id_by_value'],
    ['Thai id', { context: { locale: 'th-TH' } }, '1101700230708', 'national_id_by_value'],
  ] as const;

  it.each(bare)('%s: found in its region, not in an event from elsewhere or without context', async (_name, event, value, id) => {
    const d = await builtinDetector();
    d.detector.beginEvent(event, 'web');
    expect(d.category('properties.ref', value)).toBe(id);
    // Other paths: a value found at a path stays found there (the knowledge that protects wins).
    d.detector.beginEvent(US, 'web');
    expect(d.category('properties.other', value)).toBeNull();
    d.detector.beginEvent({}, 'web');
    expect(d.category('properties.third', value)).toBeNull();
  });

  it.each(bare)('%s: clean at a path in another region, then found there in its own (recent clean values are per region)', async (_name, event, value, id) => {
    const d = await builtinDetector();
    d.detector.beginEvent(US, 'web');
    // Alternating values, as at a field of few values: the last-value memo misses, the memo of recent clean values does not.
    for (let i = 0; i < 3; i++) {
      expect(d.category('properties.ref', value)).toBeNull();
      expect(d.category('properties.ref', 'Standard')).toBeNull();
    }
    d.detector.beginEvent(event, 'web');
    expect(d.category('properties.ref', 'Standard')).toBeNull();
    expect(d.category('properties.ref', value)).toBe(id);
  });

  it('one check digit away is not an id in its region either', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(GB, 'web');
    expect(d.category('properties.ref', '4010232138')).toBeNull();
    d.detector.beginEvent({ context: { locale: 'en-AU' } }, 'web');
    expect(d.category('properties.ref', '123456783')).toBeNull();
  });

  it('a bare NHS number outside the issued ranges (400-499, 600-799 million) is not one', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(GB, 'web');
    // 5012345675 passes mod 11 but 5xx is no NHS England/Wales range.
    expect(d.category('properties.ref', '5012345675')).toBeNull();
  });
});

describe('the region of an event picks between schemes that share a written form', () => {
  // 123 456 709 passes only the SIN's Luhn check, 123 456 707 only the TFN's mod 11.
  const AU = { context: { locale: 'en-AU' } };
  const CA = { context: { locale: 'en-CA' } };

  it('a spaced 3-3-3 number is read as a TFN in an Australian event and as a SIN in a Canadian one, never the other', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(AU, 'web');
    expect(d.category('properties.a', '123 456 707')).toBe('national_id_by_value');
    expect(d.category('properties.b', '123 456 709')).toBeNull();
    d.detector.beginEvent(CA, 'web');
    expect(d.category('properties.c', '123 456 709')).toBe('national_id_by_value');
    expect(d.category('properties.d', '123 456 707')).toBeNull();
  });

  it('elsewhere the printed form is read as either', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(US, 'web');
    expect(d.category('properties.a', '123 456 707')).toBe('national_id_by_value');
    expect(d.category('properties.b', '123 456 709')).toBe('national_id_by_value');
  });
});

describe('an event whose hints name two countries (an en-US browser in the UK)', () => {
  it('reads a bare id of either country, as it does for a country its locale names', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'en-US', timezone: 'Europe/London' } }, 'web');
    expect(d.category('properties.a', '4010232137')).toBe('health_number_by_value');
    d.detector.beginEvent({ context: { locale: 'en-US', location: { country: 'Australia' } } }, 'web');
    expect(d.category('properties.b', '123456782')).toBe('national_id_by_value');
    // One check digit away stays clean there too.
    expect(d.category('properties.c', '123456783')).toBeNull();
    d.detector.beginEvent({ context: { locale: 'en-US', timezone: 'America/New_York' } }, 'web');
    expect(d.category('properties.d', '4010232137')).toBeNull();
  });

  it('re-reads a value found clean at a path when the next event names another country too', async () => {
    const d = await builtinDetector();
    // Same path, same value, same primary region (US): only the time zone differs.
    d.detector.beginEvent({ context: { locale: 'en-US', timezone: 'America/New_York' } }, 'web');
    expect(d.category('properties.ref', '4010232137')).toBeNull();
    d.detector.beginEvent({ context: { locale: 'en-US', timezone: 'Europe/London' } }, 'web');
    expect(d.category('properties.ref', '4010232137')).toBe('health_number_by_value');
  });
});

describe('a dashed 3-3-4 NHS number', () => {
  it('is read in an event from the UK only: elsewhere the form is a US phone number', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(GB, 'web');
    expect(d.category('properties.a', '401-023-2137')).toBe('health_id_by_value');
    expect(d.category('properties.b', '401-023-2138')).toBeNull();
    d.detector.beginEvent(US, 'web');
    expect(d.category('properties.c', '401-023-2137')).toBeNull();
  });
});

describe('ids whose layout or check digit stands on its own, in any event', () => {
  it('a German KVNR (letter, nine digits, check digit) is a health insurance number', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(US, 'web');
    expect(d.detect('properties.ref', 'A123456780')?.classifier.category).toBe('user.health_and_medical.insurance_beneficiary_id');
    expect(d.category('properties.ref', 'A123456781')).toBeNull();
  });

  it('an Indian PAN, by its holder-type letter; never an EPIC-shaped invoice number', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'en-IN' } }, 'web');
    expect(d.category('properties.ref', 'ABCPE1234F')).toBe('in_id_by_value');
    // D is no holder type.
    expect(d.category('properties.ref', 'ABCDE1234F')).toBeNull();
    expect(d.category('properties.ref', 'INV1234567')).toBeNull();
  });

  it('an Aadhaar number written with colons (Verhoeff check)', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(US, 'web');
    expect(d.category('properties.ref', '2345:6789:0124')).toBe('aadhaar_colon_by_value');
    expect(d.category('properties.ref', '2345:6789:0125')).toBeNull();
    // Times and MAC-like runs are not Aadhaar numbers.
    expect(d.category('properties.ref', '12:30:45')).toBeNull();
  });
});

describe('national ids inside sentences: the cue word names the scheme, its validator checks the token', () => {
  const sentences = [
    ['en-GB', 'my NHS number is 943 476 5919, please update my record', 'uk_nhs_number'],
    ['fr-CA', "mon numéro d'assurance sociale est 130 692 544", 'ca_sin'],
    ['en-AU', 'my tax file number is 123 456 782 for payroll', 'au_tfn'],
    ['en-IN', 'PAN card: ABCPE1234F for the invoice', 'in_pan'],
    ['en-IN', 'voter id ABC1234567 attached as proof', 'in_voter_id'],
    ['es-ES', 'mi DNI es 12345678Z, gracias', 'es_dni_nie'],
    ['sv-SE', 'mitt personnummer är 811218-9876', 'se_personnummer'],
    ['de-DE', 'meine Steuer-ID ist 86095742719, danke', 'de_steuer_id'],
    ['it-IT', 'il mio codice fiscale è RSSMRA85T10A562S', 'it_codice_fiscale'],
    ['pl-PL', 'mój PESEL to 44051401359, dziękuję', 'pl_pesel'],
    ['de-DE', 'meine Krankenversichertennummer ist A123456780', 'de_kvnr'],
  ] as const;

  it.each(sentences)('%s: "%s" holds a %s', async (locale, text, id) => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale } }, 'web');
    expect(d.category('properties.comment', text)).toBe(id);
  });

  it('the same sentence with the check digit off holds nothing', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent(GB, 'web');
    expect(d.category('properties.comment', 'my NHS number is 943 476 5918, please update my record')).toBeNull();
    expect(d.category('properties.comment', 'mi DNI es 12345678A, gracias')).toBeNull();
  });
});
