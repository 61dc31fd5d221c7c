import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const pair = VALIDATORS.geo_pair!;

describe('geo_pair', () => {
  it('accepts "lat,lng" text with optional spaces and parentheses', () => {
    expect(pair('37.7749,-122.4194')).toBe(true);
    expect(pair('37.7749, -122.4194')).toBe(true);
    expect(pair('(51.5074, -0.1278)')).toBe(true);
    expect(pair('-33.8688,151.2093')).toBe(true);
  });

  it('rejects a latitude beyond ±90 (swapped order) and longitudes beyond ±180', () => {
    expect(pair('-122.4194,37.7749')).toBe(false);
    expect(pair('37.7749,-190.4194')).toBe(false);
  });

  it('rejects 0,0', () => {
    expect(pair('0.000,0.000')).toBe(false);
  });

  it('rejects imprecise parts, extra parts and unbalanced parentheses', () => {
    for (const value of ['37.77,-122.41', '37,-122', '37.7749,-122.4194,10.000', '(37.7749,-122.4194', '37.7749;-122.4194', '37.7749 -122.4194', '37.7749,']) {
      expect(pair(value)).toBe(false);
    }
  });

  it('rejects a single coordinate, hashes and UUIDs', () => {
    for (const value of ['37.7749', ...HASHES_AND_UUIDS]) expect(pair(value)).toBe(false);
  });
});
