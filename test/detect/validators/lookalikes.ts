/**
 * Values that appear in analytics events constantly and look like personal data to a naive
 * pattern, but are not. Shared by the per-validator specs.
 */
export const HEX_HASHES = {
  md5: '5d41402abc4b2a76b9719d911017c592',
  md5Upper: '5D41402ABC4B2A76B9719D911017C592',
  sha1: 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d',
  sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
  // A digest that happens to be all decimal digits still is a digest.
  md5Digits: '12345678901234567890123456789012',
} as const;

export const UUIDS = {
  v4: '3b241101-e2bb-4255-8caf-4136c566a962',
  v4Upper: '3B241101-E2BB-4255-8CAF-4136C566A962',
  v1: 'c232ab00-9414-11ec-b3c8-9f6bdeced846',
  nil: '00000000-0000-0000-0000-000000000000',
  digitsOnly: '12345678-1234-5678-1234-567812345678',
} as const;

export const EPOCHS = {
  seconds: '1700000000',
  seconds2: '1712345678',
  millis: '1700000000000',
  millis2: '1712345678901',
  micros: '1700000000000001',
} as const;

/** UPS, FedEx, USPS tracking numbers. */
export const TRACKING_NUMBERS = ['1Z999AA10123456784', '1Z12345E0205271688', '9400111899223197428490', '449044304137821'] as const;

export const VERSION_STRINGS = ['1.2.3', '10.15.7', '2.0.0-beta.1', '1.2.3.4.5', 'v1.2.3.4'] as const;

/** Hashes and UUIDs: every validator except `uuid_nonzero` rejects all of these. */
export const HASHES_AND_UUIDS: readonly string[] = [...Object.values(HEX_HASHES), ...Object.values(UUIDS)];
