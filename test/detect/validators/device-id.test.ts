import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { UUIDS } from './lookalikes.js';

const deviceId = VALIDATORS.device_id!;

describe('device_id', () => {
  it('accepts the shapes devices identify themselves by', () => {
    for (const value of [
      UUIDS.v4, // Segment's context.device.id, an IDFV
      '9774d56d682e549c', // an Android ID
      'dGhpcyBpcyBhbiBpZA-_123', // base64url installation ids
      'ios:8F14E45F-CEEA-467F-A0E6-0C2B1F2C9A0B',
      'R58M123ABCD', // a device serial
      490154203237518, // an IMEI sent as a number is a string here: see below
    ].map(String)) {
      expect({ value, ok: deviceId(value) }).toEqual({ value, ok: true });
    }
  });

  it('rejects zeroed and repeated ids, placeholders, words and values that are not ids', () => {
    for (const value of [
      UUIDS.nil,
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'FFFFFFFFFFFFFFFF',
      '0000000000000000',
      'unknown',
      'undefined-device',
      'web',
      '1234567', // too short
      'id with spaces 123',
      '2.0.0-beta.1', // a version
      'x'.repeat(129),
      '',
    ]) {
      expect({ value, ok: deviceId(value) }).toEqual({ value, ok: false });
    }
  });
});
