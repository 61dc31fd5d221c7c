import { describe, expect, it } from 'vitest';
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

  it('rejects punctuation other than spaces and malformed spacing', () => {
    expect(iban('GB82-WEST-1234-5698-7654-32')).toBe(false);
    expect(iban('GB82  WEST 1234 5698 7654 32')).toBe(false);
    expect(iban('GB82 WEST 1234 5698 7654 32 extra')).toBe(false);
  });

  it('rejects bare country codes, words, hashes and UUIDs', () => {
    for (const value of ['GB', 'DE89', 'GERMANY', 'IBAN', ...HASHES_AND_UUIDS]) expect(iban(value)).toBe(false);
  });
});
