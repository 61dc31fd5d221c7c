import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const mac = VALIDATORS.mac!;

describe('mac', () => {
  it('accepts colon, dash and Cisco dotted notations in either case', () => {
    expect(mac('00:1a:2b:3c:4d:5e')).toBe(true);
    expect(mac('00-1A-2B-3C-4D-5E')).toBe(true);
    expect(mac('001a.2b3c.4d5e')).toBe(true);
    expect(mac('3C:22:FB:9A:01:7d')).toBe(true);
  });

  it('rejects the all-zero and broadcast addresses', () => {
    expect(mac('00:00:00:00:00:00')).toBe(false);
    expect(mac('ff:ff:ff:ff:ff:ff')).toBe(false);
    expect(mac('FF-FF-FF-FF-FF-FF')).toBe(false);
    expect(mac('0000.0000.0000')).toBe(false);
    expect(mac('ffff.ffff.ffff')).toBe(false);
  });

  it('rejects mixed separators, wrong group counts and non-hex digits', () => {
    for (const value of [
      '00:1a:2b-3c:4d:5e',
      '00:1a:2b:3c:4d',
      '00:1a:2b:3c:4d:5e:6f',
      '0:1a:2b:3c:4d:5e',
      '00:1a:2b:3c:4d:5g',
      '001a2b3c4d5e', // bare 12 hex: could be any hash fragment
      '001a:2b3c:4d5e',
      '00.1a.2b.3c.4d.5e',
    ]) {
      expect(mac(value)).toBe(false);
    }
  });

  it('rejects IPv6 addresses, times, hashes and UUIDs', () => {
    for (const value of ['fe80::1', '12:34:56', ...HASHES_AND_UUIDS]) expect(mac(value)).toBe(false);
  });
});
