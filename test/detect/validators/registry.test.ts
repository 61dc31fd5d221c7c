import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NATIONAL_ID_EXAMPLES, VALIDATORS, findPhoneNumbers, validatorNames } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS, TRACKING_NUMBERS, UUIDS, VERSION_STRINGS } from './lookalikes.js';

const EXPECTED_NAMES = [
  'luhn',
  'luhn_keyed',
  'iban',
  'us_ssn',
  'ipv4',
  'ipv6',
  'ip',
  'mac',
  'email',
  'phone',
  'date_of_birth',
  'geo_coordinate',
  'geo_pair',
  'imei',
  'uuid_nonzero',
  'device_id',
  'bank_account',
  'passport',
  'drivers_license',
  'postal_code',
  ...Object.keys(NATIONAL_ID_EXAMPLES),
];

/** One value each validator accepts, to prove the shared guards do not hide real matches. */
const ACCEPTED: Readonly<Record<string, string>> = {
  luhn: '4242424242424242',
  luhn_keyed: '4824 7363 4459 8',
  iban: 'GB82 WEST 1234 5698 7654 32',
  us_ssn: '536-90-4399',
  ipv4: '203.0.113.7',
  ipv6: '2001:db8::1',
  ip: '203.0.113.7',
  mac: '00:1a:2b:3c:4d:5e',
  email: 'alice@example.com',
  phone: '+44 20 7946 0018',
  date_of_birth: '1985-07-04',
  geo_coordinate: '37.7749',
  geo_pair: '37.7749,-122.4194',
  imei: '490154203237518',
  uuid_nonzero: UUIDS.v4,
  device_id: '9774d56d682e549c',
  bank_account: '31926819',
  passport: 'C01X00T47',
  drivers_license: 'D1234567',
  postal_code: 'SW1A 1AA',
  ...NATIONAL_ID_EXAMPLES,
};

const entries = (): Array<[string, (candidate: string) => boolean]> => Object.entries(VALIDATORS);

describe('validator registry', () => {
  it('exposes exactly the documented validator names', () => {
    expect(validatorNames()).toEqual(EXPECTED_NAMES);
    expect(Object.keys(VALIDATORS)).toEqual(EXPECTED_NAMES);
  });

  it('returns a fresh array from validatorNames()', () => {
    const names = validatorNames();
    names.pop();
    expect(validatorNames()).toHaveLength(EXPECTED_NAMES.length);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(VALIDATORS)).toBe(true);
  });

  it.each(EXPECTED_NAMES)('%s accepts its sample value, also with surrounding whitespace', (name) => {
    const validate = VALIDATORS[name]!;
    expect(validate(ACCEPTED[name]!)).toBe(true);
    expect(validate(` ${ACCEPTED[name]!}\t`)).toBe(true);
  });

  // Identifiers of devices are UUIDs or hex themselves: those two accept them by design.
  it.each(EXPECTED_NAMES.filter((name) => name !== 'uuid_nonzero' && name !== 'device_id'))('%s rejects hex hashes and UUIDs', (name) => {
    for (const value of HASHES_AND_UUIDS) expect(VALIDATORS[name]!(value)).toBe(false);
  });

  // Key-gated shape validators (bank_account, drivers_license, postal_code) cannot tell a parcel
  // tracking number from an account or licence number by shape alone, so they are not listed.
  it.each(['luhn', 'iban', 'us_ssn', 'ip', 'mac', 'email', 'phone', 'date_of_birth', 'geo_coordinate', 'imei', 'uuid_nonzero', 'passport'])(
    '%s rejects parcel tracking numbers',
    (name) => {
      for (const value of TRACKING_NUMBERS) expect(VALIDATORS[name]!(value)).toBe(false);
    },
  );

  it.each(EXPECTED_NAMES)('%s rejects version strings other than dotted quads', (name) => {
    for (const value of VERSION_STRINGS) expect(VALIDATORS[name]!(value)).toBe(false);
  });

  it.each(EXPECTED_NAMES)('%s rejects empty, blank and oversized input', (name) => {
    const validate = VALIDATORS[name]!;
    expect(validate('')).toBe(false);
    expect(validate('   ')).toBe(false);
    expect(validate(`${ACCEPTED[name]!}${' '.repeat(300)}`)).toBe(false); // over the length bound before trimming
    expect(validate('4'.repeat(1_000_000))).toBe(false);
  });

  it.each(EXPECTED_NAMES)('%s returns false for non-string input that slips past the types', (name) => {
    const validate = VALIDATORS[name]! as (candidate: unknown) => boolean;
    for (const value of [
      undefined,
      null,
      42,
      4242424242424242,
      {},
      [],
      true,
      Symbol('x'),
      {
        toString: () => {
          throw new Error('boom');
        },
      },
    ]) {
      expect(validate(value)).toBe(false);
    }
  });
});

describe('validator properties', () => {
  // Strings biased towards the characters the validators care about, so the parsers get exercised.
  const interesting = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.stringMatching(/^[0-9a-fA-F:.\-+ /()@,%xX]{0,60}$/),
    fc
      .constantFrom(...Object.values(ACCEPTED))
      .chain((sample) =>
        fc.tuple(fc.nat({ max: sample.length }), fc.string({ maxLength: 4 })).map(([at, insert]) => sample.slice(0, at) + insert + sample.slice(at)),
      ),
  );

  it('never throws and always returns a boolean, for every validator and any string', () => {
    fc.assert(
      fc.property(interesting, (candidate) => {
        for (const [, validate] of entries()) {
          expect(typeof validate(candidate)).toBe('boolean');
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('is deterministic: the same input gives the same answer', () => {
    fc.assert(
      fc.property(interesting, (candidate) => {
        for (const [, validate] of entries()) expect(validate(candidate)).toBe(validate(candidate));
      }),
      { numRuns: 300 },
    );
  });

  it('findPhoneNumbers never throws and returns ordered in-bounds spans', () => {
    fc.assert(
      fc.property(interesting, fc.constantFrom(undefined, 'US', 'GB', 'DE', 'XX', ''), (text, region) => {
        const spans = findPhoneNumbers(text, region);
        let previousEnd = 0;
        for (const { start, end } of spans) {
          expect(start).toBeGreaterThanOrEqual(previousEnd);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(text.length);
          previousEnd = end;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('luhn accepts only Luhn-valid digit strings (property over random 16-digit numbers)', () => {
    const luhnValid = (digits: string): boolean => {
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      return sum % 10 === 0;
    };
    fc.assert(
      fc.property(fc.stringMatching(/^4[0-9]{15}$/), (pan) => {
        if (VALIDATORS.luhn!(pan)) expect(luhnValid(pan)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
