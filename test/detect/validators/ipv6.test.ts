import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const ipv6 = VALIDATORS.ipv6!;

describe('ipv6', () => {
  it('accepts full, compressed and mixed notations', () => {
    for (const value of [
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      '2001:db8:85a3::8a2e:370:7334',
      '2001:db8::1',
      'fe80::1ff:fe23:4567:890a',
      '::1',
      '::ffff:192.0.2.128',
      'FE80::1',
    ]) {
      expect(ipv6(value)).toBe(true);
    }
  });

  it('accepts a link-local address with a zone id', () => {
    expect(ipv6('fe80::1%eth0')).toBe(true);
  });

  it('rejects the unspecified address', () => {
    expect(ipv6('::')).toBe(false);
    expect(ipv6('0:0:0:0:0:0:0:0')).toBe(false);
  });

  it('rejects malformed addresses', () => {
    for (const value of ['1:2:3:4:5:6:7:8:9', '2001:db8::1::2', '2001:db8:::1', 'gggg::1', '12345::1', ':1', '2001:db8:85a3:0:0:8a2e:370']) {
      expect(ipv6(value)).toBe(false);
    }
  });

  it('rejects colon-bearing text that is not an address: times, C++ scopes, MACs, URLs', () => {
    for (const value of ['12:34', '12:34:56', 'Foo::bar', 'std::string', 'aa:bb:cc:dd:ee:ff', 'http://example.com']) {
      expect(ipv6(value)).toBe(false);
    }
  });

  it('rejects IPv4, hashes and UUIDs', () => {
    for (const value of ['192.168.1.1', ...HASHES_AND_UUIDS]) expect(ipv6(value)).toBe(false);
  });

  it('accepts the text forms of RFC 4291 section 2.2 and RFC 5952, with IPv4-mapped and -compatible forms', () => {
    for (const value of [
      '2001:DB8:0:0:8:800:200C:417A',
      'FF01:0:0:0:0:0:0:101',
      '2001:DB8::8:800:200C:417A',
      'FF01::101',
      '0:0:0:0:0:0:13.1.68.3',
      '0:0:0:0:0:FFFF:129.144.52.38',
      '::13.1.68.3',
      '::FFFF:129.144.52.38',
      '::ffff:192.0.2.1',
      '2001:db8::1:0:0:1',
      '2001:0db8::0001',
    ]) {
      expect({ value, ok: ipv6(value) }).toEqual({ value, ok: true });
    }
  });

  it('judges the whole value: a bad embedded IPv4 or a 5-digit group is no address (RFC 4291)', () => {
    for (const value of ['::ffff:256.0.0.1', '::ffff:1.2.3', '::ffff:1.2.3.4.5', '12345:db8::1', '2001:db8::1.', '::ffff:192.0.2.1:80', 'fe80::1%']) {
      expect({ value, ok: ipv6(value) }).toEqual({ value, ok: false });
    }
  });
});
