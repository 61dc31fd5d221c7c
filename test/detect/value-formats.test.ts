import { beforeAll, describe, expect, it } from 'vitest';
import type { Leaf } from '../../src/events/index.js';
import { builtinDetector } from './helpers.js';

let d: Awaited<ReturnType<typeof builtinDetector>>;
beforeAll(async () => {
  d = await builtinDetector();
});

function expectAll(id: string | null, cases: Array<[path: string, value: Leaf]>) {
  for (const [path, value] of cases) {
    expect({ path, value, found: d.category(path, value) }).toEqual({ path, value, found: id });
  }
}

describe('IBANs under keys that say nothing (issue 11, issue 13 item 4)', () => {
  it('finds IBANs whose BBAN has letters, in any registry country', () => {
    expectAll('iban', [
      ['properties.payout_target', 'SA0380000000608010167519'],
      ['properties.dest', 'BH67BMAG00001299123456'],
      ['properties.dest', 'MD24AG000225100013104168'],
      ['properties.dest', 'LB62099900000001001901229114'],
      ['properties.dest', 'GI75NWBK000000007099453'],
      ['properties.dest', 'KZ86125KZT5004100100'],
      ['properties.dest', 'QA58DOHB00001234567890ABCDEFG'],
      ['properties.dest', 'MU17BOMM0101101030300200000MUR'],
    ]);
  });

  it('finds IBANs written with dashes, or followed by a capitalised word', () => {
    expectAll('iban', [
      ['properties.note', 'DE89-3704-0044-0532-0130-00'],
      ['properties.note', 'pay to DE89 3704 0044 0532 0130 00 BERLIN please'],
      ['properties.note', 'IBAN DE89 3704 0044 0532 0130 00 Thanks'],
      ['properties.note', 'Konto SA03 8000 0000 6080 1016 7519 Riyadh'],
    ]);
    expectAll(null, [
      ['properties.note', 'DE89-3704-0044-0532-0130-01'],
      ['properties.ref', 'DE89 3704 0044 0532 0130 0012 34'],
    ]);
  });
});

describe('IP addresses judged on the whole value (RFC 4291, RFC 5952)', () => {
  it('accepts IPv4-mapped IPv6 and addresses in text', () => {
    expectAll('ip_address', [
      ['properties.x', '::ffff:192.0.2.1'],
      ['properties.x', 'see 2001:db8::1 and'],
      ['properties.x', 'client 2001:db8::1.'],
      ['properties.x', 'from 203.0.113.7.'],
      ['properties.ip', '::ffff:192.0.2.1'],
      ['properties.x', 'fe80::1ff:fe23:4567:890a%eth0'],
    ]);
  });

  it('refuses fragments of what is not an address', () => {
    expectAll(null, [
      ['properties.x', '::ffff:256.0.0.1'],
      ['properties.x', '12345:db8::1'],
      ['properties.x', 'build 1.2.3.4.5'],
      ['properties.x', '10.0.0.1.5'],
    ]);
    // Under an IP key the key may stand, but not on a fragment of the value.
    expect(d.detect('properties.ip', '::ffff:256.0.0.1')?.matchedOn).not.toBe('key+value');
    expect(d.detect('properties.ip', '12345:db8::1')?.matchedOn).not.toBe('key+value');
  });
});

describe('emails with internationalized and punycode domains (RFC 5890/5891)', () => {
  it('finds addresses under IDN and punycode domains, top-level domain included', () => {
    expectAll('email', [
      ['properties.username', 'info@xn--d1acufc.xn--p1ai'],
      ['properties.username', 'jane@xn--bcher-kva.de'],
      ['properties.username', 'jane@bücher.de'],
      ['properties.note', 'write to info@пример.рф today'],
      ['properties.note', 'mail jane@example.xn--fiqs8s now'],
    ]);
  });

  it('keeps the public-suffix check and refuses broken punycode', () => {
    expectAll(null, [
      ['properties.username', 'jane@xn--zz.de'],
      ['properties.username', 'jane@example.xn--zzzzzz'],
      ['properties.username', 'jane@host.invalidtld'],
      ['properties.asset', 'logo@2x.png'],
    ]);
  });
});
