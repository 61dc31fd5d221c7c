// The hot path's ISO times agree with Date on every input: the usual shape read and written by
// arithmetic, anything else handed to Date (same value, same NaN, same RangeError).
import { describe, expect, it } from 'vitest';
import { isoTime, parseIsoTime } from '../../src/ingest/time.js';

describe('parseIsoTime', () => {
  it('reads what Date.parse reads, across days, months, leap years and centuries', () => {
    const samples: string[] = [];
    for (let ms = Date.UTC(1899, 11, 25); ms < Date.UTC(2101, 2, 5); ms += 86_400_000 * 31 + 3_723_457) samples.push(new Date(ms).toISOString());
    samples.push('2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z');
    for (const s of samples) expect(parseIsoTime(s), s).toBe(Date.parse(s));
  });

  it('leaves every other shape, and every impossible field, to Date.parse', () => {
    const odd = [
      '2023-02-29T00:00:00.000Z', // no such day
      '2100-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T23:60:00.000Z',
      '0050-01-01T00:00:00.000Z', // Date.UTC would read year 50 as 1950
      '2024-01-01T00:00:00.12xZ',
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.000+02:00',
      '2024-01-01',
      'Tue, 11 Jun 2024 09:00:00 GMT',
      'yesterday',
      '',
      '+2024-01-01T00:00:00.000Z',
    ];
    for (const s of odd) expect(parseIsoTime(s), s).toEqual(Date.parse(s));
  });
});

describe('isoTime', () => {
  it('writes what toISOString writes, whichever day comes after which', () => {
    const times = [0, 1, 999, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 5), Date.UTC(1999, 11, 31, 23, 59, 59, 999)];
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2026, 0, 4); ms += 7_777_777) times.push(ms, ms - 86_400_000 * 400);
    times.push(253_402_300_799_999);
    for (const ms of times) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('before 1970, after year 9999 and between milliseconds: as toISOString, RangeError included', () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 1.5, 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
