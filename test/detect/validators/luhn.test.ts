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

describe('luhn: issuer ranges in use today (ISO/IEC 7812-1, scheme IIN tables)', () => {
  it.each([
    ['Mastercard 2-series low end', '2221000000000009'],
    ['Mastercard 2-series high end', '2720990000000007'],
    ['Discover 644', '6440000000000005'],
    ['Discover 649', '6490000000000004'],
    ['Discover 65', '6500000000000002'],
    ['JCB 3528', '3528000000000007'],
    ['JCB 3589', '3589000000000003'],
    ['Diners Club 38, 14 digits', '38520000023237'],
    ['Diners Club 300, 14 digits', '30000000000004'],
    ['UATP (airline, 15 digits; UATP published test card)', '135410014004955'],
    ['Maestro 19 digits', '6759000000000000005'],
  ])('accepts %s: %s', (_brand, pan) => {
    expect(luhn(pan)).toBe(true);
  });

  it.each([
    ['Mastercard range ends at 2720', '2721000000000000'],
    ['Mastercard below 2221', '2220000000000000'],
    ['Discover 643 is not Discover', '6430000000000000'],
    ['JCB below 3528', '3527000000000008'],
    ['UATP at 16 digits', '1354100140049550'],
    ['Mastercard at 19 digits', '5555555555554444000'],
  ])('rejects %s: %s', (_why, pan) => {
    expect(luhn(pan)).toBe(false);
  });

  it('keeps rejecting 13 digits starting with 1 (epoch milliseconds) under unrelated keys', () => {
    expect(luhn('1700000000004')).toBe(false);
    expect(luhn('1354100140049')).toBe(false);
  });
});

describe('luhn_keyed (a value under a key that says card)', () => {
  const keyed = VALIDATORS.luhn_keyed!;

  it('takes Luhn-valid 12–19 digits in any grouping', () => {
    expect(keyed('4824 7363 4459 8')).toBe(true); // 13 digits in fours (issue 11)
    expect(keyed('4222 2222 2222 2')).toBe(true);
    expect(keyed('3622-7206-2716-67')).toBe(true); // Diners 14 in fours
    expect(keyed('4242.4242.4242.4242')).toBe(true);
    expect(keyed('4242424242424242')).toBe(true);
    expect(keyed('6759000000000000005')).toBe(true); // 19
    expect(keyed('501800000009')).toBe(true); // Maestro 12
    expect(keyed('9999123412341236')).toBe(true); // no issuer check: the key says card
    expect(keyed('1700000000004')).toBe(true); // under a card key, even a 1-leading 13-digit PAN
  });

  it('refuses what fails Luhn, lengths outside 12–19, doubled separators and placeholders', () => {
    expect(keyed('4824 7363 4459 9')).toBe(false);
    expect(keyed('42424242424')).toBe(false); // 11
    expect(keyed('42424242424242424242')).toBe(false); // 20
    expect(keyed('4242  4242 4242 4242')).toBe(false);
    expect(keyed('0000 0000 0000 0000')).toBe(false);
    expect(keyed('visa')).toBe(false);
    expect(keyed('4242 4242 4242 424x')).toBe(false);
  });
});
