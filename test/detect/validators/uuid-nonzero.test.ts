import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HEX_HASHES, UUIDS } from './lookalikes.js';

const uuid = VALIDATORS.uuid_nonzero!;

describe('uuid_nonzero', () => {
  it('accepts UUIDs of any version, in either case', () => {
    expect(uuid(UUIDS.v4)).toBe(true);
    expect(uuid(UUIDS.v4Upper)).toBe(true);
    expect(uuid(UUIDS.v1)).toBe(true);
    expect(uuid('EA7583CD-A667-48BC-B806-42ECB2B48606')).toBe(true); // an IDFA
    expect(uuid('38400000-8cf0-11bd-b23e-10b96e40000d')).toBe(true); // an Android advertising id
  });

  it('rejects the zeroed advertising id (tracking limited) and the all-F max UUID', () => {
    expect(uuid(UUIDS.nil)).toBe(false);
    expect(uuid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(false);
    expect(uuid('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF')).toBe(false);
  });

  it('rejects non-canonical forms', () => {
    for (const value of [
      '3b241101e2bb42558caf4136c566a962', // no dashes: indistinguishable from an md5
      '{3b241101-e2bb-4255-8caf-4136c566a962}',
      'urn:uuid:3b241101-e2bb-4255-8caf-4136c566a962',
      '3b241101-e2bb-4255-8caf-4136c566a96',
      '3b241101-e2bb-4255-8caf-4136c566a962a',
      '3b241101-e2bb-4255-8caf_4136c566a962',
      '3g241101-e2bb-4255-8caf-4136c566a962',
    ]) {
      expect(uuid(value)).toBe(false);
    }
  });

  it('rejects hex hashes', () => {
    for (const value of Object.values(HEX_HASHES)) expect(uuid(value)).toBe(false);
  });
});
