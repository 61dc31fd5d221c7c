import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const passport = VALIDATORS.passport!;

describe('passport', () => {
  it('accepts 6–9 letters and digits containing at least one digit', () => {
    for (const value of ['C01X00T47', 'J8369854', 'L898902C3', 'AB1234567', '502135326', 'x1234567']) {
      expect(passport(value)).toBe(true);
    }
  });

  it('rejects country codes and words (no digit)', () => {
    for (const value of ['US', 'GBR', 'DEU', 'PASSPORT', 'ordinary', 'diplomatic']) expect(passport(value)).toBe(false);
  });

  it('rejects lengths outside 6–9', () => {
    expect(passport('A1234')).toBe(false);
    expect(passport('A123456789')).toBe(false);
  });

  it('rejects punctuation and spaces', () => {
    for (const value of ['C01-X00T47', 'C01 X00T4', 'AB.123456', 'AB_123456']) expect(passport(value)).toBe(false);
  });

  it('rejects placeholders', () => {
    for (const value of ['000000000', '111111', '123456789'.slice(0, 6), '987654321']) expect(passport(value)).toBe(false);
  });

  it('rejects hashes, UUIDs and tracking numbers', () => {
    for (const value of ['1Z999AA10123456784', ...HASHES_AND_UUIDS]) expect(passport(value)).toBe(false);
  });
});
