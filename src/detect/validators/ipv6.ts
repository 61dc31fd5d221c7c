/**
 * `ipv6` — IPv6 addresses in any RFC 4291/5952 text form (compressed `::`, embedded IPv4,
 * optional `%zone`), parsed by `node:net`. The unspecified address `::` is rejected: it is a
 * placeholder, not an address of anyone. Hashes and UUIDs contain no colons and never parse.
 */
import { isIPv6 } from 'node:net';
import { prepare } from './common.js';

// Longest textual form is 45 chars (IPv4-mapped); leave room for a zone id.
const MAX_IPV6_LENGTH = 64;

export function isIpv6(candidate: string): boolean {
  const value = prepare(candidate, MAX_IPV6_LENGTH);
  if (value === null || !value.includes(':')) return false;
  if (!isIPv6(value)) return false;
  const address = value.split('%', 1)[0] as string;
  return !/^[0:]+$/.test(address);
}
