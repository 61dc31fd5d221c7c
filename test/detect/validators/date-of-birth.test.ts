import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { isPlausibleDateOfBirth } from '../../../src/detect/validators/date-of-birth.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const dob = VALIDATORS.date_of_birth!;

describe('date_of_birth', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-15T12:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts ISO YYYY-MM-DD and YYYY/MM/DD', () => {
    expect(dob('1985-07-04')).toBe(true);
    expect(dob('1985/07/04')).toBe(true);
    expect(dob('2000-02-29')).toBe(true); // leap year
  });

  it('accepts US MM/DD/YYYY, with or without leading zeros', () => {
    expect(dob('07/04/1985')).toBe(true);
    expect(dob('7/4/1985')).toBe(true);
    expect(dob('12/31/1999')).toBe(true);
  });

  it('accepts DD/MM/YYYY when the first field can only be a day', () => {
    expect(dob('31/12/1999')).toBe(true);
    expect(dob('31/02/1999')).toBe(false);
  });

  it('accepts European DD.MM.YYYY', () => {
    expect(dob('04.07.1985')).toBe(true);
    expect(dob('4.7.1985')).toBe(true);
    expect(dob('31.12.1999')).toBe(true);
  });

  it('rejects dates that do not exist', () => {
    for (const value of [
      '1990-02-30',
      '1990-02-29',
      '1900-02-29',
      '1990-13-01',
      '1990-00-10',
      '1990-04-31',
      '1990-01-00',
      '02/30/1990',
      '32.01.1990',
      '13/13/1990',
    ]) {
      expect(dob(value)).toBe(false);
    }
  });

  it('rejects dates in the future, including tomorrow', () => {
    expect(dob('2025-06-16')).toBe(false);
    expect(dob('2030-01-01')).toBe(false);
    expect(dob('2025-06-15')).toBe(true); // born today
  });

  it('rejects years before 1900 and ages above 120', () => {
    expect(dob('1899-12-31')).toBe(false);
    expect(dob('1905-06-14')).toBe(false); // 120 years and a day
    expect(dob('1905-06-15')).toBe(true); // exactly 120
    expect(dob('0001-01-01')).toBe(false);
  });

  it('applies the year floor of 1900 independently of the age limit', () => {
    const in2010 = new Date('2010-01-01T00:00:00Z');
    expect(isPlausibleDateOfBirth('1899-06-01', in2010)).toBe(false);
    expect(isPlausibleDateOfBirth('1900-01-01', in2010)).toBe(true);
  });

  it('rejects timestamps with a time part: those are event times, not birth dates', () => {
    for (const value of ['1985-07-04T00:00:00Z', '1985-07-04T10:15:30.000Z', '1985-07-04 00:00:00', '1985-07-04T00:00', '2024-01-15T10:00:00+02:00']) {
      expect(dob(value)).toBe(false);
    }
  });

  it('rejects other shapes: compact dates, 2-digit years, mixed separators, words', () => {
    for (const value of ['19850704', '07/04/85', '1985-7-4', '1985-07/04', '1985.07.04', '04-07-1985', 'July 4, 1985', '1985', '1985-07']) {
      expect(dob(value)).toBe(false);
    }
  });

  it('rejects epoch timestamps, hashes and UUIDs', () => {
    for (const value of [EPOCHS.seconds, EPOCHS.millis, ...HASHES_AND_UUIDS]) expect(dob(value)).toBe(false);
  });
});
