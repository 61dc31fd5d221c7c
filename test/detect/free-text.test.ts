import { describe, expect, it } from 'vitest';
import { FreeTextScanner } from '../../src/detect/free-text.js';
import { builtinDetector } from './helpers.js';

const found: Array<[string, string, string]> = [
  ['en-US', 'my passport no. is K4410293 thanks', 'passport_number'],
  ['es-ES', 'mi número de pasaporte es X1234567', 'passport_number'],
  ['de-DE', 'Führerschein-Nr. B072RRE2I55 bitte', 'drivers_license'],
  ['nl-NL', 'mijn rijbewijsnummer is 5123456789 ok', 'drivers_license'],
  ['de-DE', 'meine PLZ ist 10115, danke', 'postal_code'],
  ['en-US', 'my zip code is 94107 ok', 'postal_code'],
  ['it-IT', 'il mio codice postale è 00184 grazie', 'postal_code'],
  ['en-US', 'ssn 536 22 8104 for the form', 'us_ssn'],
  ['en-US', 'my account number is 31926819 ok', 'bank_account_number'],
  ['en-US', 'call me at (212)555-0147 please', 'phone_number'],
  ['en-PH', 'ring me on 0917 123 4567 tonight', 'phone_number'],
  ['fr-FR', 'mon numéro de téléphone est 06 12 34 56 78 merci', 'phone_number'],
];

const clean: string[] = [
  'I bought 3 items for 20 dollars',
  'version 2 of the app is slow today',
  'passport renewal in 2 weeks please',
  'account 2 of 3 was locked',
  'my zip code changed last year, 2 times',
];

describe('free text: person names (compromise)', () => {
  const named = [
    "I'm Maria Lopez and I need help",
    'Regards, Michael Brown',
    'Please contact Sarah Connor about the order',
    'Kevin Nguyen never got the email',
  ];
  const unnamed = [
    'The Apple Watch stopped working',
    'New York store was closed',
    'Black Friday deal not applied',
    'Sent from my iPhone',
    'the blue shirt was too small',
  ];
  it.each(named)('"%s" names a person', async (text) => {
    const d = await builtinDetector();
    expect(d.detect('properties.message', text)).toMatchObject({ matchedOn: 'value', classifier: { id: 'person_name' } });
  });
  it.each(unnamed)('"%s" names nobody', async (text) => {
    const d = await builtinDetector();
    expect(d.detect('properties.message', text)).toBeNull();
  });
  it('tags only prose with two capitalised words in a row', async () => {
    const { hasNamePair } = await import('../../src/detect/person-names.js');
    expect(hasNamePair('hi, I am Ahmed Hassan')).toBe(true);
    expect(hasNamePair('Hello, this is fine')).toBe(false);
    expect(hasNamePair('Thanks, Emily')).toBe(false);
    expect(hasNamePair('USA UK')).toBe(false);
  });
});

describe('free text: cue words in en, de, fr, es, it, pt, nl', () => {
  it.each(found)('%s: "%s" holds a %s', async (locale, text, id) => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale } }, 'web');
    expect(d.detect('properties.comment', text)).toMatchObject({ matchedOn: 'value', classifier: { id } });
  });

  it.each(clean)('"%s" holds nothing', async (text) => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'en-US' } }, 'web');
    expect(d.detect('properties.comment', text)).toBeNull();
  });

  it('reads only values that look like prose, and not under machine keys (user agents, URLs, ids)', async () => {
    expect(FreeTextScanner.looksLikeText('K4410293')).toBe(false);
    expect(FreeTextScanner.looksLikeText('two_words only')).toBe(false);
    expect(FreeTextScanner.looksLikeText('passport K4410293 here')).toBe(true);
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'en-US' } }, 'web');
    expect(d.detect('context.userAgent', 'my passport no. is K4410293 thanks')).toBeNull();
    expect(d.detect('properties.page_url', 'my passport no. is K4410293 thanks')).toBeNull();
  });
});
