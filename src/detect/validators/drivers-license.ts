/**
 * `drivers_license` — the shape of a driver's licence number: 5–20 letters/digits (optionally in
 * groups separated by single spaces or dashes, e.g. `S530-460-51-442-0`) with at least 2 digits.
 * Formats vary by state and country, so this is only used together with a key match. Rejected:
 * UUIDs and hex hashes (32+ hex chars), UPS tracking numbers (`1Z…`), ISO dates, placeholder runs.
 */
import { isAllSameChar, isHexHashOrUuid, isSequentialDigits, prepare } from './common.js';

const LICENSE = /^[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*$/;
const DIGIT = /[0-9]/g;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const HEX_RUN_32 = /^[0-9a-f]{32,}$/i;
const UPS_TRACKING = /^1Z[0-9A-Z]{16}$/i;

export function isDriversLicense(candidate: string): boolean {
  const value = prepare(candidate, 48);
  if (value === null || !LICENSE.test(value) || isHexHashOrUuid(value) || ISO_DATE.test(value)) return false;
  const compact = value.replace(/[ -]/g, '');
  if (compact.length < 5 || compact.length > 20 || HEX_RUN_32.test(compact) || UPS_TRACKING.test(compact)) return false;
  if ((compact.match(DIGIT)?.length ?? 0) < 2) return false;
  return !isAllSameChar(compact.toUpperCase()) && !isSequentialDigits(compact);
}
