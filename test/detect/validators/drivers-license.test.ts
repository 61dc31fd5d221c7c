import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const license = VALIDATORS.drivers_license!;

describe('drivers_license', () => {
  it('accepts 5–20 letters and digits with at least 2 digits', () => {
    for (const value of ['D1234567', 'A123-456-78-901-0', 'S530-460-51-442-0', '918273645', 'MORGA753116SM9IJ', 'B12 345 678', '99AB1']) {
      expect(license(value)).toBe(true);
    }
  });

  it('rejects fewer than 2 digits (words, codes)', () => {
    for (const value of ['ABCDEFG', 'CLASS-C', 'A1BCDE', 'learner']) expect(license(value)).toBe(false);
  });

  it('rejects fewer than 5 or more than 20 characters', () => {
    expect(license('A123')).toBe(false);
    expect(license('A1234567890123456789X')).toBe(false);
  });

  it('rejects UUIDs, hex hashes and 32+ hex runs', () => {
    for (const value of [...HASHES_AND_UUIDS, '3b241101e2bb42558caf4136c566a962ab']) expect(license(value)).toBe(false);
  });

  it('rejects UPS tracking numbers and ISO dates', () => {
    expect(license('1Z999AA10123456784')).toBe(false);
    expect(license('2024-01-15')).toBe(false);
  });

  it('rejects placeholders and malformed separators', () => {
    for (const value of ['00000', '1111111111', '12345678', 'D12--34567', '-D1234567', 'D1234567-', 'D123/4567', 'D123.4567']) {
      expect(license(value)).toBe(false);
    }
  });
});
