import { describe, expect, it } from 'vitest';
import { IBAN_LENGTHS, bbanLayout, ibanCountries } from '../../../src/detect/validators/iban.js';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const iban = VALIDATORS.iban!;

describe('iban', () => {
  // Examples from the SWIFT IBAN Registry.
  it.each([
    'GB82 WEST 1234 5698 7654 32',
    'GB29 NWBK 6016 1331 9268 19',
    'DE89 3704 0044 0532 0130 00',
    'FR14 2004 1010 0505 0001 3M02 606',
    'NL91 ABNA 0417 1643 00',
    'BE68 5390 0754 7034',
    'ES91 2100 0418 4502 0005 1332',
    'IT60 X054 2811 1010 0000 0123 456',
    'CH93 0076 2011 6238 5295 7',
    'AT61 1904 3002 3457 3201',
    'NO93 8601 1117 947',
    'PL61 1090 1014 0000 0712 1981 2874',
    'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
    'LC55 HEMM 0001 0001 0012 0012 0002 3015',
    'BR18 0036 0305 0000 1000 9795 493C 1',
    'SA03 8000 0000 6080 1016 7519',
    'AE07 0331 2345 6789 0123 456',
  ])('accepts the registry example %s', (value) => {
    expect(iban(value)).toBe(true);
  });

  it('accepts the electronic format without spaces, and lowercase', () => {
    expect(iban('GB82WEST12345698765432')).toBe(true);
    expect(iban('DE89370400440532013000')).toBe(true);
    expect(iban('gb82 west 1234 5698 7654 32')).toBe(true);
  });

  it('rejects a wrong check digit or a single mistyped character', () => {
    expect(iban('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(iban('GB83 WEST 1234 5698 7654 32')).toBe(false);
    expect(iban('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(iban('NL92ABNA0417164300')).toBe(false);
  });

  it('rejects a valid checksum at the wrong length for the country', () => {
    // Each of these passes mod-97; only the registry length tells them apart from a real IBAN.
    expect(iban('DE51 3704 0044 0532 0130 0')).toBe(false); // 21 chars, DE is 22
    expect(iban('DE81 3704 0044 0532 0130 000')).toBe(false); // 23 chars
    expect(iban('GB88 WEST 1234 5698 7654 3')).toBe(false); // 21 chars, GB is 22
  });

  it('rejects unknown country codes', () => {
    // Checksums valid, but neither country is in the IBAN registry.
    expect(iban('US71 SVBK US6S 3300 9673 86')).toBe(false);
    expect(iban('XX57 WEST 1234 5698 7654 32')).toBe(false);
  });

  it('rejects check digits 00, 01 and 99, which ISO 13616 never issues', () => {
    expect(iban('GB00 WEST 1234 5698 7654 32')).toBe(false);
    expect(iban('GB99 WEST 1234 5698 7654 32')).toBe(false);
  });

  it('rejects punctuation other than spaces or dashes, mixed separators and malformed spacing', () => {
    expect(iban('GB82.WEST.1234.5698.7654.32')).toBe(false);
    expect(iban('GB82-WEST 1234-5698-7654-32')).toBe(false);
    expect(iban('GB82--WEST-1234-5698-7654-32')).toBe(false);
    expect(iban('GB82  WEST 1234 5698 7654 32')).toBe(false);
    expect(iban('GB82 WEST 1234 5698 7654 32 extra')).toBe(false);
  });

  it('rejects bare country codes, words, hashes and UUIDs', () => {
    for (const value of ['GB', 'DE89', 'GERMANY', 'IBAN', ...HASHES_AND_UUIDS]) expect(iban(value)).toBe(false);
  });
});

/** One example per country of the SWIFT IBAN Registry (its "IBAN electronic format example"). */
const REGISTRY_EXAMPLES = [
  'AD1200012030200359100100',
  'AE070331234567890123456',
  'AL47212110090000000235698741',
  'AT611904300234573201',
  'AZ21NABZ00000000137010001944',
  'BA391290079401028494',
  'BE68539007547034',
  'BG80BNBG96611020345678',
  'BH67BMAG00001299123456',
  'BI4210000100010000332045181',
  'BR1800360305000010009795493C1',
  'BY13NBRB3600900000002Z00AB00',
  'CH9300762011623852957',
  'CR05015202001026284066',
  'CY17002001280000001200527600',
  'CZ6508000000192000145399',
  'DE89370400440532013000',
  'DJ2100010000000154000100186',
  'DK5000400440116243',
  'DO28BAGR00000001212453611324',
  'EE382200221020145685',
  'EG380019000500000000263180002',
  'ES9121000418450200051332',
  'FI2112345600000785',
  'FK88SC123456789012',
  'FO6264600001631634',
  'FR1420041010050500013M02606',
  'GB29NWBK60161331926819',
  'GE29NB0000000101904917',
  'GI75NWBK000000007099453',
  'GL8964710001000206',
  'GR1601101250000000012300695',
  'GT82TRAJ01020000001210029690',
  'HN88CABF00000000000250005469',
  'HR1210010051863000160',
  'HU42117730161111101800000000',
  'IE29AIBK93115212345678',
  'IL620108000000099999999',
  'IQ98NBIQ850123456789012',
  'IS140159260076545510730339',
  'IT60X0542811101000000123456',
  'JO94CBJO0010000000000131000302',
  'KW81CBKU0000000000001234560101',
  'KZ86125KZT5004100100',
  'LB62099900000001001901229114',
  'LC55HEMM000100010012001200023015',
  'LI21088100002324013AA',
  'LT121000011101001000',
  'LU280019400644750000',
  'LV80BANK0000435195001',
  'LY83002048000020100120361',
  'MC5811222000010123456789030',
  'MD24AG000225100013104168',
  'ME25505000012345678951',
  'MK07250120000058984',
  'MN121234123456789123',
  'MR1300020001010000123456753',
  'MT84MALT011000012345MTLCAST001S',
  'MU17BOMM0101101030300200000MUR',
  'NI45BAPR00000013000003558124',
  'NL91ABNA0417164300',
  'NO9386011117947',
  'OM810180000001299123456',
  'PK36SCBL0000001123456702',
  'PL61109010140000071219812874',
  'PS92PALS000000000400123456702',
  'PT50000201231234567890154',
  'QA58DOHB00001234567890ABCDEFG',
  'RO49AAAA1B31007593840000',
  'RS35260005601001611379',
  'RU0304452522540817810538091310419',
  'SA0380000000608010167519',
  'SC18SSCB11010000000000001497USD',
  'SD2129010501234001',
  'SE4550000000058398257466',
  'SI56263300012039086',
  'SK3112000000198742637541',
  'SM86U0322509800000000270100',
  'SO211000001001000100141',
  'ST68000100010051845310112',
  'SV62CENR00000000000000700025',
  'TL380080012345678910157',
  'TN5910006035183598478831',
  'TR330006100519786457841326',
  'UA213223130000026007233566001',
  'VA59001123000012345678',
  'VG96VPVG0000012345678901',
  'XK051212012345678906',
  'YE15CBYE0001018861234567891234',
];

/** ISO 7064 MOD 97-10 check digits for a country and BBAN, to build IBANs whose checksum is right. */
function withCheckDigits(country: string, bban: string): string {
  const digits = `${bban + country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  const check = 98n - (BigInt(digits) % 97n);
  return country + String(check).padStart(2, '0') + bban;
}

describe('iban: every country of the SWIFT IBAN Registry (ISO 13616)', () => {
  it('knows every registry country, with BBAN layouts that add up to the registry length', () => {
    expect(new Set(REGISTRY_EXAMPLES.map((e) => e.slice(0, 2)))).toEqual(new Set(ibanCountries()));
    for (const country of ibanCountries()) {
      const example = REGISTRY_EXAMPLES.find((e) => e.startsWith(country))!;
      expect({ country, length: example.length }).toEqual({ country, length: IBAN_LENGTHS[country] });
    }
  });

  it.each(REGISTRY_EXAMPLES)('accepts the registry example %s, electronic, printed and dashed', (example) => {
    const printed = example.match(/.{1,4}/g)!.join(' ');
    expect(iban(example)).toBe(true);
    expect(iban(printed)).toBe(true);
    expect(iban(printed.replaceAll(' ', '-'))).toBe(true);
  });

  it.each(REGISTRY_EXAMPLES)('rejects %s with one character changed (mod 97, ISO 7064)', (example) => {
    const i = example.length - 3;
    const c = example[i]!;
    const changed = example.slice(0, i) + (c === '7' ? '8' : /\d/.test(c) ? '7' : c === 'A' ? 'B' : 'A') + example.slice(i + 1);
    expect(iban(changed)).toBe(false);
  });

  it('takes letters in the BBAN where the registry says alphanumeric (SA, BH, MD, LB, GI, KZ)', () => {
    expect(iban(withCheckDigits('SA', '80ABCDEF0608010167519'.slice(0, 20)))).toBe(true);
    expect(iban(withCheckDigits('BH', 'BMAGAB001299123456'))).toBe(true);
    expect(iban(withCheckDigits('MD', 'AGXY0225100013104168'))).toBe(true);
    expect(iban(withCheckDigits('LB', '0999ACCT0001001901229114'))).toBe(true);
    expect(iban(withCheckDigits('GI', 'NWBK00000000709945X'))).toBe(true);
    expect(iban(withCheckDigits('KZ', '125KZT5004100100'))).toBe(true);
  });

  it('rejects a right checksum on a BBAN whose layout the registry forbids', () => {
    expect(iban(withCheckDigits('DE', '37040044053201300X'))).toBe(false); // DE is 18!n
    expect(iban(withCheckDigits('NL', '1234' + '0417164300'))).toBe(false); // NL bank code is 4!a
    expect(iban(withCheckDigits('SA', 'AB' + '000000608010167519'))).toBe(false); // SA bank code is 2!n
    expect(iban(withCheckDigits('GB', 'NWBK6016133192681X'))).toBe(false); // GB account is 8!n
    expect(iban(withCheckDigits('MU', 'BOMM0101101030300200000123'))).toBe(false); // MU ends in 3!a
    expect(bbanLayout('4!a14!c').length).toBe(18);
  });

  it('takes an IBAN followed by a capitalised word, as written in text', () => {
    expect(iban('DE89 3704 0044 0532 0130 00 Berlin')).toBe(true);
    expect(iban('DE89 3704 0044 0532 0130 00 BERLIN')).toBe(true);
    expect(iban('SA03 8000 0000 6080 1016 7519 Riyadh')).toBe(true);
    expect(iban('DE89 3704 0044 0532 0130 00 12')).toBe(false); // more digits: a longer number
    expect(iban('DE89 3704 0044 0532 0130 0012')).toBe(false);
  });
});
