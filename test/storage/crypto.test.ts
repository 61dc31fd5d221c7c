import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aad, DecryptError, open, openJson, seal, sealJson, sealTexts } from '../../src/storage/crypto/aead.js';
import { KeyConfigError, Keyring } from '../../src/storage/crypto/master-keys.js';
import { SubjectHasher } from '../../src/storage/crypto/lookup.js';
import { Lru } from '../../src/storage/crypto/lru.js';

describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);

  it('round-trips and binds the ciphertext to its AAD', () => {
    const sealed = sealJson(key, { email: 'jane@example.com' }, aad.event('s1', 'm1'));
    expect(sealed.toString('latin1')).not.toContain('jane@example.com');
    expect(openJson(key, sealed, aad.event('s1', 'm1'))).toEqual({ email: 'jane@example.com' });
    expect(() => openJson(key, sealed, aad.event('s1', 'm2'))).toThrow(DecryptError);
    expect(() => openJson(key, sealed, aad.event('s2', 'm1'))).toThrow(DecryptError);
  });

  it('rejects a wrong key and tampered bytes', () => {
    const sealed = seal(key, Buffer.from('hello'), 'x');
    expect(() => open(randomBytes(32), sealed, 'x')).toThrow(DecryptError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, tampered, 'x')).toThrow(DecryptError);
  });

  it('uses a fresh IV per seal', () => {
    expect(seal(key, Buffer.from('a'), 'x').equals(seal(key, Buffer.from('a'), 'x'))).toBe(false);
    // IVs come from a pool refilled every 1,024 seals: none repeats across refills.
    const ivs = new Set(Array.from({ length: 3000 }, () => seal(key, Buffer.from('a'), 'x').subarray(1, 13).toString('hex')));
    expect(ivs.size).toBe(3000);
  });

  it('seals many texts end to end, each opening on its own under its key and AAD', () => {
    const other = randomBytes(32);
    const items = [
      { key, text: JSON.stringify({ email: 'jane@example.com' }), aad: aad.event('s1', 'm1') },
      { key: other, text: '{"name":"Zoë — ünïcode"}', aad: aad.event('s2', 'm2') },
      { key, text: '', aad: aad.event('s3', 'm3') },
    ];
    const run = sealTexts(items);
    expect(run.offsets).toEqual([0, run.lengths[0], run.lengths[0]! + run.lengths[1]!]);
    expect(run.bytes.length).toBe(run.lengths.reduce((a, b) => a + b, 0));
    items.forEach((item, i) => {
      const sealed = run.bytes.subarray(run.offsets[i], run.offsets[i]! + run.lengths[i]!);
      expect(open(item.key, sealed, item.aad).toString('utf8')).toBe(item.text);
      expect(() => open(item.key, sealed, aad.event('s9', 'm9'))).toThrow(DecryptError);
    });
    // Not the plaintext in the clear, and not the same IV twice.
    expect(run.bytes.includes(Buffer.from('jane@example.com'))).toBe(false);
    expect(run.bytes.subarray(1, 13).equals(run.bytes.subarray(run.offsets[1]! + 1, run.offsets[1]! + 13))).toBe(false);
  });
});

describe('Keyring', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');

  it('parses version:key lists and wraps with the newest version', () => {
    const ring = Keyring.parse(`2:${k2},1:${k1}`);
    expect(ring.versions).toEqual([1, 2]);
    expect(ring.current.version).toBe(2);
    expect(ring.get(1).toString('base64')).toBe(k1);
  });

  it('reads the env, or a file', () => {
    expect(Keyring.fromEnv({ SEGMENTLOOM_MASTER_KEYS: `1:${k1}` }).current.version).toBe(1);
    const file = join(mkdtempSync(join(tmpdir(), 'sl-keys-')), 'keys');
    writeFileSync(file, `1:${k1}\n3:${k2}\n`);
    expect(Keyring.fromEnv({ SEGMENTLOOM_MASTER_KEYS_FILE: file }).current.version).toBe(3);
  });

  it('refuses bad keys without echoing them', () => {
    expect(() => Keyring.fromEnv({})).toThrow(KeyConfigError);
    expect(() => Keyring.parse('1:c2hvcnQ=')).toThrow(/32 bytes/);
    try {
      Keyring.parse(`nope${k1}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(k1);
    }
  });
});

describe('SubjectHasher', () => {
  const secret = randomBytes(32);

  it('is stable, keyed, and separates subject ids from emails', () => {
    const a = new SubjectHasher(secret);
    const b = new SubjectHasher(secret);
    expect(a.subjectHash('user-1')).toBe(b.subjectHash('user-1'));
    expect(a.subjectHash('user-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(new SubjectHasher(randomBytes(32)).subjectHash('user-1')).not.toBe(a.subjectHash('user-1'));
    expect(a.emailHash(' Jane@Example.com ')).toBe(a.emailHash('jane@example.com'));
    expect(a.emailHash('x@y.z')).not.toBe(a.subjectHash('x@y.z'));
  });

  it('gives the same hash from its cache, across generations', () => {
    const cached = new SubjectHasher(secret);
    const fresh = () => new SubjectHasher(secret);
    const ids = Array.from({ length: 40_000 }, (_, i) => `user-${i}`);
    for (const id of ids) cached.subjectHash(id);
    for (const id of [ids[0]!, ids[20_000]!, ids[39_999]!, 'never-seen']) expect(cached.subjectHash(id)).toBe(fresh().subjectHash(id));
  });

  it('reads SEGMENTLOOM_LOOKUP_KEY', () => {
    const hasher = SubjectHasher.fromEnv({ SEGMENTLOOM_LOOKUP_KEY: secret.toString('base64') });
    expect(hasher.subjectHash('u')).toBe(new SubjectHasher(secret).subjectHash('u'));
    expect(() => SubjectHasher.fromEnv({})).toThrow(KeyConfigError);
  });
});

describe('Lru', () => {
  it('evicts the least recently used entry', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.size).toBe(2);
  });
});
