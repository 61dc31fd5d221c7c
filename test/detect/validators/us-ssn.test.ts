import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const ssn = VALIDATORS.us_ssn!;

describe('us_ssn', () => {
  it('accepts AAA-GG-SSSS and 9 bare digits', () => {
    expect(ssn('536-90-4399')).toBe(true);
    expect(ssn('536904399')).toBe(true);
    expect(ssn('001-01-0001')).toBe(true);
    expect(ssn('772-12-3456')).toBe(true);
    expect(ssn(' 536-90-4399 ')).toBe(true);
  });

  it('rejects area numbers that are never issued: 000, 666 and 900–999', () => {
    expect(ssn('000-12-3456')).toBe(false);
    expect(ssn('666-12-3456')).toBe(false);
    expect(ssn('900-12-3456')).toBe(false);
    expect(ssn('987-65-4321')).toBe(false); // the advertising range 987-65-4320..4329
    expect(ssn('999123456')).toBe(false);
  });

  it('rejects group 00 and serial 0000', () => {
    expect(ssn('536-00-4399')).toBe(false);
    expect(ssn('536-90-0000')).toBe(false);
  });

  it('rejects all-same-digit and sequential placeholders', () => {
    expect(ssn('111-11-1111')).toBe(false);
    expect(ssn('555555555')).toBe(false);
    expect(ssn('234-56-7890')).toBe(false);
    expect(ssn('876543210')).toBe(false);
  });

  it('rejects widely published sample numbers', () => {
    expect(ssn('078-05-1120')).toBe(false); // Woolworth wallet insert
    expect(ssn('219-09-9999')).toBe(false); // SSA pamphlet
    expect(ssn('457-55-5462')).toBe(false); // LifeLock advert
    expect(ssn('123-45-6789')).toBe(false);
    expect(ssn('123456789')).toBe(false);
  });

  it('rejects other groupings and separators', () => {
    expect(ssn('536-904399')).toBe(false);
    expect(ssn('53690-4399')).toBe(false);
    expect(ssn('536.90-4399')).toBe(false);
    expect(ssn('536 90.4399')).toBe(false);
    expect(ssn('536  90  4399')).toBe(false);
    expect(ssn('536-90-43990')).toBe(false);
    expect(ssn('53690439')).toBe(false);
    expect(ssn('5369043990')).toBe(false);
  });

  it('rejects epoch timestamps, hashes and UUIDs', () => {
    for (const value of [EPOCHS.seconds, EPOCHS.millis, ...HASHES_AND_UUIDS]) expect(ssn(value)).toBe(false);
  });

  it('accepts the same number written with dots or spaces, one kind throughout', () => {
    expect(ssn('536.90.4399')).toBe(true);
    expect(ssn('536 90 4399')).toBe(true);
    expect(ssn('683 42 8779')).toBe(true);
  });

  it('accepts areas opened by the June 2011 randomization (formerly unassigned 734-749, 773-899)', () => {
    expect(ssn('734-12-3456')).toBe(true);
    expect(ssn('749-01-0001')).toBe(true);
    expect(ssn('773-45-6781')).toBe(true);
    expect(ssn('899-99-9998')).toBe(true);
  });

  it('refuses ITINs: IRS numbers 9xx with group 50-65, 70-88, 90-92, 94-99 (IRS Publication 1915)', () => {
    for (const itin of [
      '912-50-1234',
      '912-65-1234',
      '900-70-0000',
      '912-78-1234',
      '988-88-1234',
      '912-90-1234',
      '912-92-1234',
      '912-94-1234',
      '912-99-1234',
      '912701234',
      '912 70 1234',
      '912.70.1234',
    ]) {
      expect({ itin, ok: ssn(itin) }).toEqual({ itin, ok: false });
    }
  });
});
