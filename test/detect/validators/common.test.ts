// The character-check guards on the hot path agree with the patterns they replace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoTimestamp, isUuid } from '../../../src/detect/validators/common.js';

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Strings built from the characters timestamps are made of, so near-misses are common.
const timestampish = fc.string({ unit: fc.constantFrom('0', '1', '9', '-', ':', '.', 'T', ' ', 'Z', '+', 'x'), maxLength: 40 });
const valid = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
    fc.constantFrom('T', ' '),
    fc.option(fc.integer({ min: 0, max: 99 })),
    fc.option(fc.string({ unit: fc.constantFrom('0', '5', '9'), minLength: 1, maxLength: 10 })),
    fc.constantFrom('', 'Z', '+02:00', '-0530', '+01'),
  )
  .map(([y, m, d, sep, sec, frac, zone]) => {
    const p2 = (n: number) => String(n).padStart(2, '0');
    const seconds = sec === null ? '' : `:${p2(sec)}${frac === null ? '' : `.${frac}`}`;
    return `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}${sep}12:34${seconds}${zone}`;
  });

describe('isIsoTimestamp', () => {
  it('accepts what Segment libraries and servers send', () => {
    for (const text of [
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:00Z',
      '2026-01-01 10:00',
      '2026-01-01T10:00:00.123456789+02:00',
      '2026-01-01T10:00:00-0530',
    ]) {
      expect(isIsoTimestamp(text)).toBe(true);
    }
  });

  it('agrees with the reference pattern on near-misses and valid forms alike', () => {
    fc.assert(
      fc.property(fc.oneof(timestampish, valid), (text) => isIsoTimestamp(text) === ISO.test(text)),
      { numRuns: 20_000 },
    );
  });
});

describe('isUuid', () => {
  it('agrees with the reference pattern', () => {
    const uuidish = fc.string({ unit: fc.constantFrom('0', 'a', 'F', 'g', '-', '9'), minLength: 34, maxLength: 38 });
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), uuidish), (text) => isUuid(text) === UUID.test(text)),
      { numRuns: 20_000 },
    );
  });
});
