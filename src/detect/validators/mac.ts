/**
 * `mac` — 48-bit MAC addresses: `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff` (one separator throughout)
 * or Cisco `aabb.ccdd.eeff`. Bare 12-hex strings are not accepted: they are indistinguishable from
 * hash fragments. All-zero (unset) and all-FF (broadcast) addresses identify no device.
 */
import { prepare } from './common.js';

const COLON_OR_DASH = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;
const CISCO_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;

export function isMacAddress(candidate: string): boolean {
  const value = prepare(candidate, 32);
  if (value === null || !(COLON_OR_DASH.test(value) || CISCO_DOTTED.test(value))) return false;
  const hex = value.replace(/[:.-]/g, '').toLowerCase();
  return hex !== '000000000000' && hex !== 'ffffffffffff';
}
