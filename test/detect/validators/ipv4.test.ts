import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const ipv4 = VALIDATORS.ipv4!;

describe('ipv4', () => {
  it('accepts dotted-quad addresses, public and private', () => {
    for (const value of ['203.0.113.7', '8.8.8.8', '192.168.1.1', '10.0.0.1', '172.16.254.3', '255.255.255.255', '1.2.3.4', '100.64.0.0']) {
      expect(ipv4(value)).toBe(true);
    }
  });

  it('accepts version-string-looking quads like 10.0.0.1 (telling them apart is the caller’s key context)', () => {
    expect(ipv4('10.0.0.1')).toBe(true);
  });

  it('rejects three or five parts (version strings)', () => {
    expect(ipv4('1.2.3')).toBe(false);
    expect(ipv4('1.2.3.4.5')).toBe(false);
    expect(ipv4('10.15.7')).toBe(false);
    expect(ipv4('v1.2.3.4')).toBe(false);
  });

  it('rejects octets with leading zeros or above 255', () => {
    expect(ipv4('01.2.3.4')).toBe(false);
    expect(ipv4('192.168.001.1')).toBe(false);
    expect(ipv4('256.1.1.1')).toBe(false);
    expect(ipv4('1.2.3.300')).toBe(false);
  });

  it('rejects the unspecified address 0.0.0.0', () => {
    expect(ipv4('0.0.0.0')).toBe(false);
  });

  it('rejects ports, CIDR suffixes, empty octets and other notations', () => {
    for (const value of ['1.2.3.4:80', '10.0.0.0/8', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4.', '0x7f.0.0.1', '3232235777', '1.2.3.-4', '1.2.3.4 5']) {
      expect(ipv4(value)).toBe(false);
    }
  });

  it('rejects IPv6, epoch timestamps, hashes and UUIDs', () => {
    for (const value of ['::1', '2001:db8::1', EPOCHS.seconds, ...HASHES_AND_UUIDS]) expect(ipv4(value)).toBe(false);
  });
});
