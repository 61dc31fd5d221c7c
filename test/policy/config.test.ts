import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { flatten, PathTrie } from '../../src/events/index.js';
import { compilePolicies, parsePolicyConfig, PolicyConfigError, policyConfigSchema, type CompileOptions, type Env } from '../../src/policy/index.js';
import { byPath, C, enforce, HASHING, SECRET_V1, SECRET_V2, track } from './helpers.js';

// Block style: in a YAML flow mapping (`{ secret: ${X} }`) the reference must be quoted, since `{` ends a plain scalar there.
const EXAMPLE = `
hashing:
  keys:
    - version: 2
      secret: \${SEGMENTLOOM_HMAC_KEY_V2}
    - { version: 1, secret: '\${SEGMENTLOOM_HMAC_KEY_V1}' }
  current: 2
policies:
  - name: block-credentials
    sources: ['*']
    match: { classifications: [red] }
    action: block
    dryRun: false
  - name: hash-emails-for-analytics
    destinations: [analytics]
    match: { categories: [email, phone_number] }
    action: hash
destinations:
  - name: email_provider
    topic: out.email
    allow: { categories: [email, person_name], classifications: [green] }
    consent: { categories: [Marketing], sale: false }
  - name: analytics
    topic: out.analytics
    allow: { classifications: [green, yellow] }
`;
const env = { SEGMENTLOOM_HMAC_KEY_V2: SECRET_V2, SEGMENTLOOM_HMAC_KEY_V1: SECRET_V1 };

/** The PolicyConfigError a raw config produces, parsed then compiled (fails the test when it is accepted). */
function errorOf(raw: unknown, options: CompileOptions & { env?: Env } = {}): PolicyConfigError {
  const { env: vars = env, ...compile } = options;
  try {
    compilePolicies(parsePolicyConfig(raw, { env: vars, fieldPrefix: compile.fieldPrefix }), compile);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyConfigError);
    return err as PolicyConfigError;
  }
  throw new Error('config was accepted');
}

const minimal = (policy: Record<string, unknown>) => ({
  hashing: HASHING,
  policies: [{ name: 'p', match: { classifications: ['red'] }, action: 'block', ...policy }],
  destinations: [{ name: 'analytics', topic: 't' }],
});

describe('policy config', () => {
  it('loads the documented YAML example, resolving ${ENV} secrets', () => {
    const config = parsePolicyConfig(parseYaml(EXAMPLE), { env });

    expect(config.hashing!.keys.map((k) => k.secret)).toEqual([SECRET_V2, SECRET_V1]);
    expect(config.policies[1]).toMatchObject({ sources: ['*'], dryRun: false, destinations: ['analytics'] });
    expect(config.consentDefault).toBe('allow');

    const engine = compilePolicies(config);
    const { out } = enforce(engine, track({ email: 'jane@example.com' }), byPath({ 'properties.email': C.email }));
    expect(out.analytics!.properties.email).toBe(engine.pseudonymize('jane@example.com', 2));
    expect(out.email_provider!.properties.email).toBe('jane@example.com');
  });

  it('is an embeddable zod schema', () => {
    expect(policyConfigSchema.safeParse({ policies: [], destinations: [] }).success).toBe(true);
  });

  it('names the missing environment variable, not a secret', () => {
    const error = errorOf(parseYaml(EXAMPLE), { env: { SEGMENTLOOM_HMAC_KEY_V2: SECRET_V2 } });

    expect(error.field).toBe('hashing.keys[1].secret');
    expect(error.message).toContain('environment variable SEGMENTLOOM_HMAC_KEY_V1 is not set');
    expect(error.message).not.toContain(SECRET_V2);
  });

  it('resolves secrets with the config rules: anywhere in the value, with fallbacks and $${ for a literal ${', () => {
    const secrets = (keys: string[], vars: Env) =>
      parsePolicyConfig({ hashing: { current: 1, keys: keys.map((secret, i) => ({ version: i + 1, secret })) } }, { env: vars }).hashing!.keys.map(
        (k) => k.secret,
      );

    expect(
      secrets(['prefix-${KEY_PART}', '${UNSET_KEY:-fallback-key-0123456789}', '$${NOT_RESOLVED}-0123456789'], {
        KEY_PART: 'from-the-environment',
        NOT_RESOLVED: 'no',
      }),
    ).toEqual(['prefix-from-the-environment', 'fallback-key-0123456789', '${NOT_RESOLVED}-0123456789']);
  });

  it('resolves once: a secret whose value contains ${…} is that value, also when compiled', () => {
    const secret = '${SEGMENTLOOM_HMAC_KEY_V1}';
    const config = parsePolicyConfig(
      { hashing: { current: 1, keys: [{ version: 1, secret: '${KEY}' }] } },
      { env: { KEY: secret, SEGMENTLOOM_HMAC_KEY_V1: SECRET_V1 } },
    );
    expect(config.hashing!.keys[0]!.secret).toBe(secret);

    // Compiling a parsed config (hot reload, worker threads) resolves nothing.
    const engine = compilePolicies(config);
    expect(engine.pseudonymize('jane@example.com')).toBe(`hmac:v1:${createHmac('sha256', secret).update('jane@example.com').digest('base64url')}`);
  });

  it('names the field of an unset variable, and treats an empty one as unset', () => {
    const error = errorOf(
      { hashing: { current: 1, keys: [{ version: 1, secret: '${EMPTY_KEY}' }] } },
      { env: { EMPTY_KEY: '', OTHER: SECRET_V2 }, fieldPrefix: 'privacy' },
    );

    expect(error.field).toBe('privacy.hashing.keys[0].secret');
    expect(error.message).toBe('privacy.hashing.keys[0].secret: environment variable EMPTY_KEY is not set (use ${EMPTY_KEY:-default} for a fallback)');
  });

  it('rejects short secrets without echoing them', () => {
    const error = errorOf({ hashing: { keys: [{ version: 1, secret: 'short-secret' }], current: 1 } });

    expect(error.field).toBe('hashing.keys[0].secret');
    expect(error.message).not.toContain('short-secret');
  });

  it.each([
    ['an unknown action', minimal({ action: 'delete' }), 'policies[0].action', /expected one of "block", "drop_event", "hash", "allow"/],
    ['a misspelt field', minimal({ mtach: {} }), 'policies[0]', /unknown field "mtach"/],
    ['an empty match', minimal({ match: {} }), 'policies[0].match', /needs at least one of/],
    ['an unknown classification', minimal({ match: { classifications: ['purple'] } }), 'policies[0].match.classifications[0]', /expected one of/],
    ['a malformed path', minimal({ match: { paths: ['properties..x'] } }), 'policies[0].match.paths[0]', /invalid path/],
    ['an unknown destination', minimal({ destinations: ['nowhere'] }), 'policies[0].destinations[0]', /unknown destination "nowhere"/],
    ['a duplicate policy name', { policies: [minimal({}).policies[0], minimal({}).policies[0]] }, 'policies[1].name', /duplicate policy/],
    ['hashing without keys', { policies: [{ name: 'h', match: { categories: ['email'] }, action: 'hash' }] }, 'hashing', /no hashing keys/],
    ['a current version without a key', { hashing: { ...HASHING, current: 3 } }, 'hashing.current', /no key with version 3/],
    ['a destination without topic', { destinations: [{ name: 'x' }] }, 'destinations[0].topic', /expected string/],
    ['a bad consent default', { consentDefault: 'maybe' }, 'consentDefault', /expected one of "allow", "deny"/],
  ])('names the field for %s', (_what, raw, field, message) => {
    const error = errorOf(raw);

    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${field}: `);
  });

  it('rejects categories the classifiers do not know, when told which exist', () => {
    const error = errorOf({ policies: [{ name: 'p', match: { categories: ['emial'] }, action: 'block' }] }, { categories: ['email', 'phone_number'] });

    expect(error.field).toBe('policies[0].match.categories[0]');
    expect(error.message).toContain('unknown category "emial"');
  });

  it('prefixes fields when embedded in a larger config', () => {
    expect(errorOf({ consentDefault: 'maybe' }, { fieldPrefix: 'privacy' }).field).toBe('privacy.consentDefault');
  });

  it('normalises paths, so both spellings select the same field', () => {
    const config = parsePolicyConfig({ policies: [{ name: 'p', match: { paths: ['properties["email"]'] }, action: 'block' }] });

    expect(config.policies[0]!.match.paths).toEqual(['properties.email']);
  });
});

describe('hot reload', () => {
  it('keeps the old engine valid for an event in flight while a new one is compiled', () => {
    const destinations = [{ name: 'analytics', topic: 't' }];
    const detect = byPath({ 'properties.email': C.email });
    const old = compilePolicies({ destinations });
    const trie = new PathTrie();
    const event = track({ email: 'jane@example.com' });
    const inFlight = old.begin('web', event);
    flatten(trie.root, event, (node, value, container, slot) => inFlight.observe(node, value, container, slot, detect(node, value)));

    const next = compilePolicies({ policies: [{ name: 'block-emails', match: { categories: ['email'] }, action: 'block' }], destinations });

    expect(JSON.parse(inFlight.finish().outputs[0]!.json).properties).toEqual({ email: 'jane@example.com' });
    expect(enforce(next, track({ email: 'jane@example.com' }), detect, 'web', trie).out.analytics!.properties).toEqual({});
    expect(enforce(old, track({ email: 'jane@example.com' }), detect, 'web', trie).out.analytics!.properties).toEqual({ email: 'jane@example.com' });
  });
});
