import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, Detector, loadClassifierSet, parseClassifierFile } from '../../src/detect/index.js';
import { PathTrie } from '../../src/events/index.js';

const VALID = `
id: loyalty_number
name: Loyalty card number
classification: yellow
category: user.unique_id
key: { names: [loyalty number, member number] }
value: { types: [string], patterns: ['LY-\\d{8}'], scan: true, minLength: 11 }
`;

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'segmentloom-classifiers-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function loadError(files: Record<string, string>): Promise<ConfigError> {
  const dir = await dirWith(files);
  const error = await loadClassifierSet([dir]).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('classifier files', () => {
  it('loads the built-in set with every required id', async () => {
    const set = await loadClassifierSet();
    const ids = set.classifiers.map((c) => c.id);
    for (const id of [
      'email',
      'phone_number',
      'ip_address',
      'credit_card_number',
      'us_ssn',
      'iban',
      'bank_account_number',
      'person_name',
      'street_address',
      'postal_code',
      'date_of_birth',
      'geo_coordinates',
      'mac_address',
      'passport_number',
      'drivers_license',
      'password',
      'auth_token',
      'gender',
      'advertising_id',
      'health',
      'race_ethnicity',
      'religion',
      'sexual_orientation',
      'biometric',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('a custom classifier fires on key and on value', async () => {
    const set = await loadClassifierSet([await dirWith({ 'loyalty.yaml': VALID })]);
    const detector = new Detector(set.classifiers);
    const trie = new PathTrie();
    expect(detector.detect(trie.resolve('traits.member_number'), 'abc')?.classifier.id).toBe('loyalty_number');
    expect(detector.detect(trie.resolve('properties.ref'), 'card LY-12345678')?.matchedOn).toBe('value');
  });

  it('a later directory overrides a built-in id; the same id twice in one directory is an error', async () => {
    const override = VALID.replace('loyalty_number', 'email');
    const set = await loadClassifierSet([path.resolve('classifiers'), await dirWith({ 'email.yaml': override })]);
    expect(set.classifiers.find((c) => c.id === 'email')!.name).toBe('Loyalty card number');
    const error = await loadError({ 'a.yaml': VALID, 'b.yaml': VALID });
    expect(error.message).toMatch(/b\.yaml: id: "loyalty_number" is already defined in .*a\.yaml/);
  });

  it.each([
    ['a wrong classification', VALID.replace('yellow', 'purple'), 'classification'],
    ['a missing name', VALID.replace('name: Loyalty card number', ''), 'name'],
    ['an unknown field', `${VALID}colour: blue\n`, '(root)'],
    ['a bad id', VALID.replace('loyalty_number', 'Loyalty Number'), 'id'],
    ['an invalid RE2 pattern', VALID.replace("'LY-\\d{8}'", "'(?<=x)y'"), 'value.patterns[0]'],
    ['an unknown validator', VALID.replace('scan: true', 'scan: true, validators: [luhnn]'), 'value.validators[0]'],
    ['a validator named like an Object member', VALID.replace('scan: true', 'scan: true, validators: [toString]'), 'value.validators[0]'],
    ['a confidence above 1', `${VALID}confidence: { key: 1.5 }\n`, 'confidence.key'],
  ])('rejects %s, naming the file and the field', async (_label, text, field) => {
    const error = await loadError({ 'custom.yaml': text });
    expect(error.message).toContain('custom.yaml');
    expect(error.message).toContain(field);
  });

  it('rejects an alias to no anchor as invalid YAML, naming the file', async () => {
    const error = await loadError({ 'alias.yaml': VALID.replace('name: Loyalty card number', 'name: *nowhere') });
    expect(error.message).toMatch(/alias\.yaml: invalid YAML/);
  });

  it('rejects invalid YAML with a line number', async () => {
    const error = await loadError({ 'broken.yaml': 'id: x\nname: [unclosed\n' });
    expect(error.message).toMatch(/broken\.yaml:\d+:\d+: invalid YAML/);
  });

  it('a missing directory is a clear error', async () => {
    await expect(loadClassifierSet(['/nonexistent/segmentloom'])).rejects.toThrow(/does not exist/);
  });

  it('any mutation of a valid file either loads or fails with a ConfigError naming the file (property)', () => {
    const fields = ['id', 'name', 'classification', 'category', 'key', 'value', 'confidence', 'priority', 'enabled'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, replacement) => {
        const definition: Record<string, unknown> = {
          id: 'loyalty_number',
          name: 'Loyalty',
          classification: 'yellow',
          category: 'user.unique_id',
          key: { names: ['loyalty number'] },
        };
        definition[field] = replacement;
        try {
          parseClassifierFile('prop.yaml', JSON.stringify(definition));
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message).toContain('prop.yaml');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('custom patterns run on RE2', () => {
  it('a catastrophic-backtracking pattern returns quickly on a long input', async () => {
    const evil = `
id: evil
name: Evil pattern
classification: yellow
category: user.unique_id
value: { patterns: ['(a+)+$'], scan: true }
`;
    const set = await loadClassifierSet([await dirWith({ 'evil.yaml': evil })]);
    const detector = new Detector(set.classifiers);
    const node = new PathTrie().resolve('properties.text');
    const input = `${'a'.repeat(100_000)}!`;
    const started = process.hrtime.bigint();
    detector.detect(node, input);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // A backtracking engine needs ~2^100000 steps here; RE2 is linear. 2 s is a generous bound on a noisy machine.
    expect(ms).toBeLessThan(2000);
  });
});
