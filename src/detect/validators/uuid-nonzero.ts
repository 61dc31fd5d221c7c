/**
 * `uuid_nonzero` — a canonical UUID (8-4-4-4-12 hex, any version) that is not the nil UUID.
 * Devices with ad tracking limited report a zeroed advertising id
 * (`00000000-0000-0000-0000-000000000000`), which identifies nobody; the all-F "max" UUID is the
 * same kind of sentinel.
 */
import { isUuid, prepare } from './common.js';

const NIL = /^[0-]+$/;
const MAX = /^[f-]+$/i;

export function isNonZeroUuid(candidate: string): boolean {
  const value = prepare(candidate, 40);
  if (value === null || !isUuid(value)) return false;
  // The sentinels start with 0 or f: only those need the full check.
  const first = value.charCodeAt(0);
  return !(first === 48 && NIL.test(value)) && !((first === 102 || first === 70) && MAX.test(value));
}
