import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const postal = VALIDATORS.postal_code!;

describe('postal_code', () => {
  it('accepts US ZIP and ZIP+4', () => {
    expect(postal('94105')).toBe(true);
    expect(postal('94105-1804')).toBe(true);
    expect(postal('02139')).toBe(true);
  });

  it('accepts UK postcodes in every outward-code shape, with or without the space', () => {
    for (const value of ['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'sw1a1aa', 'GIR 0AA']) {
      expect(postal(value)).toBe(true);
    }
  });

  it('accepts Canadian postal codes', () => {
    expect(postal('K1A 0B1')).toBe(true);
    expect(postal('M5V3L9')).toBe(true);
  });

  it('accepts 4–6 digit codes used across Europe, Asia and Oceania', () => {
    for (const value of ['2000', '8001', '10115', '75008', '110001', '560034']) expect(postal(value)).toBe(true);
  });

  it('accepts common punctuated national formats', () => {
    expect(postal('1012 AB')).toBe(true); // NL
    expect(postal('00-950')).toBe(true); // PL
    expect(postal('01310-200')).toBe(true); // BR
    expect(postal('100-0001')).toBe(true); // JP
  });

  it('rejects all-same-digit placeholders', () => {
    for (const value of ['00000', '99999', '0000', '00000-0000']) expect(postal(value)).toBe(false);
  });

  it('rejects digit strings of other lengths', () => {
    for (const value of ['123', '1234567', '94105-18']) expect(postal(value)).toBe(false);
  });

  it('rejects letter patterns that no postal service issues', () => {
    for (const value of ['QA1 1AA', 'SW1A 1AC', 'D1A 0B1', 'W1A 0B1', 'K1A0B1X', 'ABCDE', 'UK', 'LONDON']) {
      expect(postal(value)).toBe(false);
    }
  });

  it('rejects hashes and UUIDs', () => {
    for (const value of HASHES_AND_UUIDS) expect(postal(value)).toBe(false);
  });
});
