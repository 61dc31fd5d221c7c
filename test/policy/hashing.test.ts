import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer, PolicyHashError, pseudonymVersion } from '../../src/policy/index.js';
import { byPath, C, enforce, engineFor, HASHING, SECRET_V1, SECRET_V2, track } from './helpers.js';

/** The documented format: `hmac:v<version>:<base64url HMAC-SHA256 of the value's text>`. */
const expected = (secret: string, version: number, text: string) => `hmac:v${version}:${createHmac('sha256', secret).update(text).digest('base64url')}`;

const hashEmails = (current: number) =>
  engineFor({
    hashing: { ...HASHING, current },
    policies: [{ name: 'hash-emails', match: { categories: ['email'] }, action: 'hash' }],
    destinations: [{ name: 'analytics', topic: 'out.analytics' }],
  });

describe('hash', () => {
  const detect = byPath({
    'properties.email': C.email,
    'properties.emails[]': C.email,
    'properties.zip': C.email,
    'properties.opt': C.email,
    'properties.none': C.email,
  });

  it('replaces the value with a keyed HMAC-SHA256 pseudonym naming the key version', () => {
    const { out } = enforce(hashEmails(2), track({ email: 'jane@example.com' }), detect);

    expect(out.analytics!.properties.email).toBe(expected(SECRET_V2, 2, 'jane@example.com'));
    expect(pseudonymVersion(out.analytics!.properties.email)).toBe(2);
  });

  it('hashes numbers and booleans from their JSON text, and leaves null alone', () => {
    const { out, result } = enforce(hashEmails(2), track({ zip: 94107, opt: true, none: null }), detect);

    expect(out.analytics!.properties).toEqual({ zip: expected(SECRET_V2, 2, '94107'), opt: expected(SECRET_V2, 2, 'true'), none: null });
    expect(result.stats.hashed).toBe(2);
  });

  it('hashes every element of an array', () => {
    const { out } = enforce(hashEmails(2), track({ emails: ['a@example.com', 'b@example.com'] }), detect);

    expect(out.analytics!.properties.emails).toEqual([expected(SECRET_V2, 2, 'a@example.com'), expected(SECRET_V2, 2, 'b@example.com')]);
  });

  it('gives the same pseudonym for the same input and version, so joins keep working', () => {
    const engine = hashEmails(2);
    const first = enforce(engine, track({ email: 'jane@example.com' }), detect).out.analytics!.properties.email;
    const second = enforce(engine, track({ email: 'jane@example.com' }), detect).out.analytics!.properties.email;

    expect(second).toBe(first);
    expect(engine.pseudonymize('jane@example.com')).toBe(first);
  });

  it('does not leave the pseudonym in the caller’s event', () => {
    const event = track({ email: 'jane@example.com' });
    enforce(hashEmails(2), event, detect);

    expect(event.properties!.email).toBe('jane@example.com');
  });
});

describe('key rotation', () => {
  it('hashes with the current version; older versions stay available for re-keying', () => {
    const v1 = hashEmails(1);
    const v2 = hashEmails(2);
    const detect = byPath({ 'properties.email': C.email });
    const underV1 = enforce(v1, track({ email: 'jane@example.com' }), detect).out.analytics!.properties.email;
    const underV2 = enforce(v2, track({ email: 'jane@example.com' }), detect).out.analytics!.properties.email;

    expect(underV1).toBe(expected(SECRET_V1, 1, 'jane@example.com'));
    expect(underV2).toBe(expected(SECRET_V2, 2, 'jane@example.com'));
    expect(underV2).not.toBe(underV1);
    expect(v2.hashKeyVersion).toBe(2);
    expect(v2.pseudonymize('jane@example.com', 1)).toBe(underV1);
  });

  it('rejects an unknown version without echoing the value', () => {
    const engine = hashEmails(2);

    expect(() => engine.pseudonymize('jane@example.com', 7)).toThrow(PolicyHashError);
    expect(() => engine.pseudonymize('jane@example.com', 7)).toThrow(/no hashing key with version 7/);
  });

  it('is also available standalone for consumers', () => {
    const pseudonymizer = new Pseudonymizer(HASHING);

    expect(pseudonymizer.versions).toEqual([2, 1]);
    expect(pseudonymizer.pseudonymize(42, 1)).toBe(expected(SECRET_V1, 1, '42'));
  });

  it('fails clearly when the engine has no hashing keys', () => {
    expect(() => engineFor({}).pseudonymize('x')).toThrow(/no hashing keys/);
  });
});
