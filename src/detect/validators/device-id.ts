/**
 * `device_id` — an identifier a device keeps: Segment's `context.device.id`, an Android ID, an IDFV,
 * an installation id. Ids come in many shapes (UUIDs, hex, base64url), so this checks what they all
 * share: 8–128 characters of letters, digits and `- _ :` (no dots: `2.0.0-beta.1` is a version), at
 * least one digit, and not one repeated character (a zeroed `00000000-0000-…` or `ffffffffffffffff`
 * id identifies nobody).
 * Meant for values under a key that says device id: on its own any id would pass.
 */
import { prepare } from './common.js';

const ID_SHAPE = /^[0-9A-Za-z][0-9A-Za-z_:-]{7,127}$/;

export function isDeviceId(candidate: string): boolean {
  const value = prepare(candidate, 128);
  if (value === null || !ID_SHAPE.test(value)) return false;
  let digit = false;
  let first = -1;
  let varied = false;
  for (let i = 0; i < value.length; i++) {
    const raw = value.charCodeAt(i);
    if (raw === 0x2d || raw === 0x5f || raw === 0x3a) continue; // separators - _ :
    const code = raw | 0x20; // case-folded: `FFFF` repeats as `ffff` does
    if (code >= 0x30 && code <= 0x39) digit = true;
    if (first === -1) first = code;
    else if (code !== first) varied = true;
  }
  return digit && varied;
}
