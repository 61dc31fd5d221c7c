/**
 * Value validators: pure predicates that confirm a candidate string really has the shape (and,
 * where one exists, the checksum) of a kind of personal data. The detector calls them by name.
 *
 * Shared guarantees: no I/O, no logging, never throw (any input, including non-strings at runtime),
 * input longer than a bounded length is rejected up front, surrounding whitespace is ignored, and
 * hex hashes (md5/sha*) and UUIDs are rejected by every validator except `uuid_nonzero`.
 */
import { isBankAccount } from './bank-account.js';
import { isDateOfBirth } from './date-of-birth.js';
import { isDriversLicense } from './drivers-license.js';
import { isEmail } from './email.js';
import { isGeoCoordinate } from './geo-coordinate.js';
import { isGeoPair } from './geo-pair.js';
import { isIban } from './iban.js';
import { isImei } from './imei.js';
import { isIp } from './ip.js';
import { isIpv4 } from './ipv4.js';
import { isIpv6 } from './ipv6.js';
import { isKeyedPaymentCard, isPaymentCard } from './luhn.js';
import { isDeviceId } from './device-id.js';
import { isMacAddress } from './mac.js';
import { isPassportNumber } from './passport.js';
import { DEFAULT_PHONE_REGIONS, makePhoneValidator } from './phone.js';
import { isPostalCode } from './postal-code.js';
import { isUsSsn } from './us-ssn.js';
import { isNonZeroUuid } from './uuid-nonzero.js';
import { NATIONAL_ID_VALIDATORS } from './national/index.js';
import type { Validator } from './types.js';

export type { Validator } from './types.js';
export { makePhoneValidator } from './phone.js';
export { findPhoneNumbers } from './find-phone-numbers.js';
export { NATIONAL_ID_EXAMPLES, setEventIdRegion } from './national/index.js';

/** Wraps a validator so that no input can make it throw (a validator bug must not stop the pipeline). */
function neverThrows(validator: Validator): Validator {
  return (candidate: string): boolean => {
    try {
      return validator(candidate) === true;
    } catch {
      return false;
    }
  };
}

export const VALIDATORS: Readonly<Record<string, Validator>> = Object.freeze({
  luhn: neverThrows(isPaymentCard),
  luhn_keyed: neverThrows(isKeyedPaymentCard),
  iban: neverThrows(isIban),
  us_ssn: neverThrows(isUsSsn),
  ipv4: neverThrows(isIpv4),
  ipv6: neverThrows(isIpv6),
  ip: neverThrows(isIp),
  mac: neverThrows(isMacAddress),
  email: neverThrows(isEmail),
  phone: neverThrows(makePhoneValidator(DEFAULT_PHONE_REGIONS)),
  date_of_birth: neverThrows(isDateOfBirth),
  geo_coordinate: neverThrows(isGeoCoordinate),
  geo_pair: neverThrows(isGeoPair),
  imei: neverThrows(isImei),
  uuid_nonzero: neverThrows(isNonZeroUuid),
  device_id: neverThrows(isDeviceId),
  bank_account: neverThrows(isBankAccount),
  passport: neverThrows(isPassportNumber),
  drivers_license: neverThrows(isDriversLicense),
  postal_code: neverThrows(isPostalCode),
  // National, tax and health identifiers of many countries (national/index.ts).
  ...Object.fromEntries(Object.entries(NATIONAL_ID_VALIDATORS).map(([name, validator]) => [name, neverThrows(validator)])),
});

/** Names of all validators, in registry order. A fresh array each call. */
export function validatorNames(): string[] {
  return Object.keys(VALIDATORS);
}
