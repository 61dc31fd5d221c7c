/**
 * `ipv4` — dotted-quad IPv4 addresses, parsed strictly: exactly four decimal octets 0–255 and no
 * leading zeros (`01.2.3.4` is octal in some parsers and a version string in practice).
 * `1.2.3` and `1.2.3.4.5` are rejected; telling `10.0.0.1` addresses from version strings apart is
 * left to the caller's key context. The unspecified address 0.0.0.0 identifies nobody and is rejected.
 */
import { prepare } from './common.js';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function isIpv4(candidate: string): boolean {
  const value = prepare(candidate, 32);
  return value !== null && value !== '0.0.0.0' && DOTTED_QUAD.test(value);
}
