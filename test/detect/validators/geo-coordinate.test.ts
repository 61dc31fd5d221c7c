import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const coordinate = VALIDATORS.geo_coordinate!;

describe('geo_coordinate', () => {
  it('accepts latitudes and longitudes with at least 3 decimals', () => {
    for (const value of ['37.7749', '-122.4194', '52.520008', '13.404954', '-33.868', '+48.8566', '0.123', '179.9999', '-180.000', '90.000000']) {
      expect(coordinate(value)).toBe(true);
    }
  });

  it('rejects values with fewer than 3 decimals (prices, ratios, coarse areas)', () => {
    for (const value of ['37.77', '19.99', '52', '-122', '1.5']) expect(coordinate(value)).toBe(false);
  });

  it('rejects values outside ±180', () => {
    expect(coordinate('180.001')).toBe(false);
    expect(coordinate('-200.123')).toBe(false);
    expect(coordinate('1234.567')).toBe(false);
  });

  it('rejects exactly zero ("null island", the unset default)', () => {
    expect(coordinate('0.000')).toBe(false);
    expect(coordinate('-0.000000')).toBe(false);
  });

  it('rejects other number notations', () => {
    for (const value of ['037.774', '37,7749', '3.7e1', '.774', '37.', '37.7749N', '1.2.3', '10.0.0.1', 'NaN', 'Infinity', '37.77490000000000001']) {
      expect(coordinate(value)).toBe(false);
    }
  });

  it('rejects hashes and UUIDs', () => {
    for (const value of HASHES_AND_UUIDS) expect(coordinate(value)).toBe(false);
  });
});
