import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const ip = VALIDATORS.ip!;

describe('ip', () => {
  it('accepts either an IPv4 or an IPv6 address', () => {
    expect(ip('203.0.113.7')).toBe(true);
    expect(ip('2001:db8::1')).toBe(true);
  });

  it('rejects what both ipv4 and ipv6 reject', () => {
    for (const value of ['1.2.3', '01.2.3.4', '0.0.0.0', '::', '12:34', 'localhost', '', ...HASHES_AND_UUIDS]) {
      expect(ip(value)).toBe(false);
    }
  });
});
