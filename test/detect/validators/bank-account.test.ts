import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const account = VALIDATORS.bank_account!;

describe('bank_account', () => {
  it('accepts 6 to 17 digits', () => {
    expect(account('482915')).toBe(true);
    expect(account('000123456789')).toBe(true);
    expect(account('12345678901234563')).toBe(true);
    expect(account('31926819')).toBe(true);
  });

  it('rejects fewer than 6 or more than 17 digits', () => {
    expect(account('48291')).toBe(false);
    expect(account('482915482915482915')).toBe(false);
  });

  it('rejects all-same-digit and sequential placeholders', () => {
    for (const value of ['000000', '1111111111', '123456', '0123456789', '987654321']) expect(account(value)).toBe(false);
  });

  it('rejects separators, letters and signs (IBANs have their own validator)', () => {
    for (const value of ['12-3456-7890123-00', '1234 5678', 'GB82WEST12345698765432', '-4829150', '4829.15']) {
      expect(account(value)).toBe(false);
    }
  });

  it('rejects hashes and UUIDs, even all-digit ones', () => {
    for (const value of HASHES_AND_UUIDS) expect(account(value)).toBe(false);
  });
});
