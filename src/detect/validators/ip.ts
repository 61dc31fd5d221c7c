/** `ip` — an IPv4 or an IPv6 address (see ipv4.ts / ipv6.ts for the exact rules). */
import { isIpv4 } from './ipv4.js';
import { isIpv6 } from './ipv6.js';

export function isIp(candidate: string): boolean {
  return isIpv4(candidate) || isIpv6(candidate);
}
