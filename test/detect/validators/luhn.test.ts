import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { EPOCHS, HASHES_AND_UUIDS } from './lookalikes.js';

const luhn = VALIDATORS.luhn!;

describe('luhn (payment card numbers)', () => {
  // Published test card numbers (Stripe docs, https://docs.stripe.com/testing).
  it.each([
    ['Visa', '4242424242424242'],
    ['Visa debit', '4000056655665556'],
    ['Visa 13-digit', '4222222222222'],
    ['Visa (classic test number)', '4111111111111111'],
    ['Mastercard', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Mastercard debit', '5200828282828210'],
    ['Mastercard prepaid', '5105105105105100'],
    ['American Express', '378282246310005'],
    ['American Express', '371449635398431'],
    ['Discover', '6011111111111117'],
    ['Discover', '6011000990139424'],
    ['Discover debit', '6011981111111113'],
    ['Diners Club', '3056930009020004'],
    ['Diners Club 14-digit', '36227206271667'],
    ['JCB', '3566002020360505'],
    ['UnionPay', '6200000000000005'],
    ['UnionPay debit', '6200000000000047'],
    ['UnionPay 19-digit', '6205500000000000004'],
    ['Dankort', '5019717010103742'],
    ['Maestro', '6759649826438453'],
    ['Mir', '2200000000000004'],
  ])('accepts a %s test card %s', (_brand, pan) => {
    expect(luhn(pan)).toBe(true);
  });

  it('accepts numbers grouped with spaces or dashes as printed on cards', () => {
    expect(luhn('4242 4242 4242 4242')).toBe(true);
    expect(luhn('4242-4242-4242-4242')).toBe(true);
    expect(luhn('3782 822463 10005')).toBe(true); // Amex 4-6-5
    expect(luhn('3622 720627 1667')).toBe(true); // Diners 4-6-4
  });

  it('ignores surrounding whitespace', () => {
    expect(luhn('  4242424242424242\n')).toBe(true);
  });

  it('rejects numbers that fail the Luhn checksum (shipment and order ids)', () => {
    expect(luhn('4242424242424241')).toBe(false);
    expect(luhn('5555555555554445')).toBe(false);
    expect(luhn('6011111111111118')).toBe(false);
    expect(luhn('4716230128194326')).toBe(false);
  });

  it('rejects Luhn-valid numbers outside every known issuer range', () => {
    expect(luhn('9999123412341236')).toBe(false);
    expect(luhn('7123456789012342')).toBe(false);
  });

  it('rejects Luhn-valid numbers whose length the scheme does not issue', () => {
    expect(luhn('424242424242424')).toBe(false); // Visa prefix, 15 digits
    expect(luhn('424242424242424242')).toBe(false); // Visa prefix, 18 digits
    expect(luhn('3782822463100052')).toBe(false); // Amex prefix, 16 digits
  });

  it('rejects epoch timestamps, including Luhn-valid ones', () => {
    expect(luhn(EPOCHS.millis)).toBe(false);
    expect(luhn(EPOCHS.millis2)).toBe(false);
    expect(luhn('1700000000004')).toBe(false); // 13 digits starting with 1, Luhn-valid
    expect(luhn(EPOCHS.micros)).toBe(false); // 16 digits, Luhn-valid
  });

  it('rejects all-same-digit and sequential fillers', () => {
    expect(luhn('0000000000000000')).toBe(false);
    expect(luhn('4444444444444444')).toBe(false);
    expect(luhn('4567890123456789')).toBe(false);
    expect(luhn('4321098765432109')).toBe(false);
  });

  it('rejects lengths outside 13–19 digits', () => {
    expect(luhn('424242424242')).toBe(false); // 12
    expect(luhn('42424242424242424242')).toBe(false); // 20
  });

  it('rejects inconsistent or malformed grouping', () => {
    expect(luhn('4242 4242-4242 4242')).toBe(false);
    expect(luhn('4242  4242 4242 4242')).toBe(false);
    expect(luhn('4242.4242.4242.4242')).toBe(false);
    expect(luhn('4 2 4 2 4 2 4 2 4 2 4 2 4 2 4 2')).toBe(false);
    expect(luhn('-4242424242424242')).toBe(false);
  });

  it('rejects tracking numbers, hashes and UUIDs', () => {
    expect(luhn('1Z999AA10123456784')).toBe(false);
    for (const value of HASHES_AND_UUIDS) expect(luhn(value)).toBe(false);
  });

  it('rejects text containing a card number (it validates whole values, not substrings)', () => {
    expect(luhn('card 4242424242424242')).toBe(false);
    expect(luhn('4242424242424242x')).toBe(false);
  });
});
