import { describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../../src/detect/validators/index.js';
import { HASHES_AND_UUIDS } from './lookalikes.js';

const email = VALIDATORS.email!;

describe('email', () => {
  it('accepts ordinary addresses', () => {
    for (const value of [
      'alice@example.com',
      'Bob.Smith@Example.COM',
      'bob.smith+newsletter@mail.example.co.uk',
      'first_last-99@sub.domain.io',
      "o'connor@example.ie",
      'x@example.de',
      'user@example.museum',
    ]) {
      expect(email(value)).toBe(true);
    }
  });

  it('accepts internationalized domains, in Unicode and punycode form', () => {
    expect(email('kontakt@bücher.de')).toBe(true);
    expect(email('kontakt@xn--bcher-kva.de')).toBe(true);
  });

  it('rejects domains without a real public suffix', () => {
    expect(email('user@host.invalidtld')).toBe(false);
    expect(email('x@localhost')).toBe(false);
    expect(email('admin@router.local')).toBe(false);
    expect(email('dev@machine.internal')).toBe(false);
  });

  it('rejects image asset names with density suffixes', () => {
    expect(email('file@2x.png')).toBe(false);
    expect(email('logo@3x.jpg')).toBe(false);
    expect(email('icon@2x.webp')).toBe(false);
    expect(email('hero@2x.mov')).toBe(false); // .mov is a real TLD, the 2x label still gives it away
    expect(email('banner@1.5x.mov')).toBe(false);
  });

  it('rejects a bare public suffix as the domain', () => {
    expect(email('a@co.uk')).toBe(false);
    expect(email('a@com')).toBe(false);
  });

  it('rejects malformed local parts', () => {
    for (const value of [
      '.alice@example.com',
      'alice.@example.com',
      'al..ice@example.com',
      'al ice@example.com',
      '"alice"@example.com',
      '@example.com',
      'a(b)@example.com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(email(value)).toBe(false);
    }
  });

  it('rejects malformed domains', () => {
    for (const value of [
      'alice@',
      'alice@example',
      'alice@-example.com',
      'alice@example-.com',
      'alice@example..com',
      'alice@.example.com',
      'alice@exa_mple.com',
      'alice@[192.0.2.1]',
      'alice@192.0.2.1',
      'alice@example.com.',
    ]) {
      expect(email(value)).toBe(false);
    }
  });

  it('rejects more than one @ and surrounding text', () => {
    expect(email('alice@bob@example.com')).toBe(false);
    expect(email('mailto:alice@example.com')).toBe(false);
    expect(email('Alice <alice@example.com>')).toBe(false);
    expect(email('alice@example.com, bob@example.com')).toBe(false);
  });

  it('rejects handles, package specifiers, hashes and UUIDs', () => {
    for (const value of ['@alice', 'react@18.2.0', '@types/node@20.1.0', 'git@github', ...HASHES_AND_UUIDS]) {
      expect(email(value)).toBe(false);
    }
  });
});
