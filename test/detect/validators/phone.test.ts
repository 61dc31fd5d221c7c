import { describe, expect, it } from 'vitest';
import { VALIDATORS, findPhoneNumbers, makePhoneValidator } from '../../../src/detect/validators/index.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const phone = VALIDATORS.phone!;

describe('phone', () => {
  it('accepts international +CC numbers from any country', () => {
    for (const value of [
      '+1 415 555 2671',
      '+14155552671',
      '+1 (415) 555-2671',
      '+44 20 7946 0018',
      '+49 30 1234567',
      '+33 1 23 45 67 89',
      '+91 98123 45678',
      '+81 90-1234-5678', // Japan: not a default region, still accepted in international form
      '+34 612 34 56 78', // Spain
      '+86 138 1234 5678', // China
    ]) {
      expect(phone(value)).toBe(true);
    }
  });

  it('accepts international numbers written with the 00 call prefix', () => {
    expect(phone('0044 20 7946 0018')).toBe(true);
    expect(phone('0049 30 1234567')).toBe(true);
    expect(phone('0081 90 1234 5678')).toBe(true);
    expect(phone('011 44 20 7946 0018')).toBe(true); // 011 is the North American call prefix
  });

  it('accepts national formats of the default regions', () => {
    for (const value of [
      '(415) 555-2671', // US
      '415.555.2671', // US
      '2125551234', // US, bare 10 digits
      '613-555-0199', // CA
      '020 7946 0018', // GB
      '07911 123456', // GB mobile
      '030 1234567', // DE
      '0151 23456789', // DE mobile
      '01 42 68 53 00', // FR
      '06 12 34 56 78', // FR mobile
      '98123 45678', // IN mobile, written without the trunk 0
      '(11) 91234-5678', // BR mobile
      '0412 345 678', // AU mobile
      '(02) 9876 5432', // AU landline
    ]) {
      expect(phone(value)).toBe(true);
    }
  });

  it('rejects national numbers of other regions (they must be written with +CC)', () => {
    expect(phone('612 34 56 78')).toBe(false); // Spanish mobile, national format
    expect(phone('+34 612 34 56 78')).toBe(true);
  });

  it('rejects national numbers written without the trunk prefix their region always uses', () => {
    expect(phone('87654321')).toBe(false); // a "valid" German number to libphonenumber
    expect(phone('612345678')).toBe(false); // French mobile without its 0
    expect(phone('412 345 678')).toBe(false); // Australian mobile without its 0
  });

  it('rejects 10-digit epoch seconds and 13-digit epoch milliseconds', () => {
    expect(phone(EPOCHS.seconds)).toBe(false);
    expect(phone(EPOCHS.seconds2)).toBe(false);
    expect(phone(EPOCHS.millis)).toBe(false);
  });

  it('rejects digit strings with fewer than 7 digits', () => {
    for (const value of ['123456', '555-0199', '911', '+44 20']) expect(phone(value)).toBe(false);
  });

  it('rejects UUIDs and their fragments, and hex hashes', () => {
    for (const value of ['3b241101', '3b241101-e2bb', '12345678-1234', '1234-5678-1234', '5678-123456781234', ...HASHES_AND_UUIDS]) {
      expect(phone(value)).toBe(false);
    }
  });

  it('rejects dates, decimals, IPv4 addresses and version strings', () => {
    for (const value of ['2024-01-15', '15/01/2024', '01.15.2024', '52.520008', '13.404954', '192.168.100.200', '10.0.0.1']) {
      expect(phone(value)).toBe(false);
    }
  });

  it('rejects placeholders: all-same digits and sequential runs', () => {
    for (const value of ['5555555555', '0000000000', '1234567890', '123456789', '9876543210', '+1 234 567 8901']) {
      expect(phone(value)).toBe(false);
    }
  });

  it('rejects letters (vanity numbers, ids), tracking and card numbers', () => {
    for (const value of ['1-800-FLOWERS', 'tel:+14155552671', '1Z999AA10123456784', '4242424242424242', '+1 415 555 2671 ext 5']) {
      expect(phone(value)).toBe(false);
    }
  });

  it('rejects numbers that are impossible for their country', () => {
    expect(phone('+1 415 555 267')).toBe(false); // too short for NANP
    expect(phone('+44 20 7946 00181')).toBe(false); // too long for GB
    expect(phone('+999 1234 5678')).toBe(false); // unassigned calling code
  });
});

describe('makePhoneValidator', () => {
  it('accepts national numbers only of the regions it is given', () => {
    const spainOnly = makePhoneValidator(['ES']);
    expect(spainOnly('612 34 56 78')).toBe(true);
    expect(spainOnly('020 7946 0018')).toBe(false);
    expect(spainOnly('(415) 555-2671')).toBe(false);
    expect(spainOnly('+44 20 7946 0018')).toBe(true); // international still accepted
  });

  it('accepts lowercase region codes', () => {
    expect(makePhoneValidator(['gb'])('020 7946 0018')).toBe(true);
  });

  it('with no regions, accepts only international numbers', () => {
    const internationalOnly = makePhoneValidator([]);
    expect(internationalOnly('+1 415 555 2671')).toBe(true);
    expect(internationalOnly('(415) 555-2671')).toBe(false);
  });

  it('throws at construction for a region libphonenumber-js does not know', () => {
    expect(() => makePhoneValidator(['UK'])).toThrow(RangeError);
    expect(() => makePhoneValidator(['US', 'XX'])).toThrow(/XX/);
  });
});

describe('findPhoneNumbers', () => {
  const spans = (text: string, region?: string): string[] => findPhoneNumbers(text, region).map(({ start, end }) => text.slice(start, end));

  it('finds international numbers in free text and reports their positions', () => {
    const text = 'Call me at +1 415-555-2671 tomorrow';
    const found = findPhoneNumbers(text);
    expect(found).toEqual([{ start: 11, end: 26 }]);
    expect(text.slice(11, 26)).toBe('+1 415-555-2671');
  });

  it('finds national numbers of the default region when one is given', () => {
    expect(spans('office: 020 7946 0018, mobile +44 7911 123456', 'GB')).toEqual(['020 7946 0018', '+44 7911 123456']);
    expect(spans('office: 020 7946 0018', 'gb')).toEqual(['020 7946 0018']);
  });

  it('without a default region (or with an unknown one) finds only international numbers', () => {
    expect(spans('office: 020 7946 0018, mobile +44 7911 123456')).toEqual(['+44 7911 123456']);
    expect(spans('office: 020 7946 0018, mobile +44 7911 123456', 'XX')).toEqual(['+44 7911 123456']);
  });

  it('ignores epoch timestamps, dates, UUIDs and numbers glued into other tokens', () => {
    const text = `order at ${EPOCHS.seconds}, on 2024-01-15, id ${HASHES_AND_UUIDS.join(' ')} sku AB02079460018`;
    expect(findPhoneNumbers(text, 'GB')).toEqual([]);
    expect(findPhoneNumbers('ring 87654321 or 030 1234567', 'DE').length).toBe(1);
  });

  it('returns nothing for empty or number-free text', () => {
    expect(findPhoneNumbers('')).toEqual([]);
    expect(findPhoneNumbers('no numbers here', 'US')).toEqual([]);
  });

  it('scans only a bounded prefix of very long text (a megabyte of digits returns, within the test timeout)', () => {
    const text = '1 '.repeat(500_000);
    expect(findPhoneNumbers(text, 'US')).toEqual([]);
  });
});
