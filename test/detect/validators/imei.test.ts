import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const imei = VALIDATORS.imei!;

describe('imei', () => {
  it('accepts 15-digit IMEIs with a valid check digit', () => {
    expect(imei('490154203237518')).toBe(true);
    expect(imei('352099001761481')).toBe(true);
    expect(imei('990008626123454')).toBe(true);
  });

  it('accepts the printed AA-BBBBBB-CCCCCC-D form', () => {
    expect(imei('35-209900-176148-1')).toBe(true);
    expect(imei('35 209900 176148 1')).toBe(true);
  });

  it('rejects a wrong check digit', () => {
    expect(imei('490154203237519')).toBe(false);
    expect(imei('352099001761480')).toBe(false);
  });

  it('rejects other lengths, including 16-digit IMEISV and 14-digit bodies', () => {
    expect(imei('49015420323751')).toBe(false);
    expect(imei('4901542032375180')).toBe(false);
  });

  it('rejects Luhn-valid placeholders', () => {
    expect(imei('000000000000000')).toBe(false);
  });

  it('rejects other groupings and characters', () => {
    for (const value of ['35-209900-176148 1', '352-099001-761481', '35209900176148-1', '35.209900.176148.1', 'A52099001761481']) {
      expect(imei(value)).toBe(false);
    }
  });

  it('rejects American Express numbers, which are also 15 Luhn-valid digits', () => {
    expect(imei('378282246310005')).toBe(false);
    expect(imei('371449635398431')).toBe(false);
  });

  it('rejects 16-digit card numbers, epoch timestamps, hashes and UUIDs', () => {
    for (const value of ['4242424242424242', EPOCHS.millis, EPOCHS.micros, ...HASHES_AND_UUIDS]) {
      expect(imei(value)).toBe(false);
    }
  });
});
