// Environment references in configuration: the rules of the one resolver every config reader
// (engine config, policy file, `serve`, `alerts test`, policy uploads through the API) goes through.
import { describe, expect, it } from 'vitest';
import { EnvReferenceError, hasEnvReference, substituteEnv } from '../../src/core/env.js';
import { ConfigError } from '../../src/config/errors.js';

const resolve = (value: unknown, env: Record<string, string>) => substituteEnv(value, env, '/etc/sl.yaml');

function failure(value: unknown, env: Record<string, string>, path: (string | number)[] = []): EnvReferenceError {
  try {
    substituteEnv(value, env, '/etc/sl.yaml', path);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvReferenceError);
    expect(err).toBeInstanceOf(ConfigError);
    return err as EnvReferenceError;
  }
  throw new Error('expected the reference to fail');
}

describe('environment references', () => {
  it('replace ${NAME} anywhere in a string value, in mappings and lists', () => {
    const out = resolve({ url: 'https://${HOST}/hooks/${TOKEN}', list: ['${HOST}', 7, true, null] }, { HOST: 'h.example', TOKEN: 't0k' });
    expect(out).toEqual({ url: 'https://h.example/hooks/t0k', list: ['h.example', 7, true, null] });
  });

  it('take a fallback with ${NAME:-fallback}, also an empty one', () => {
    expect(resolve('${TOPIC:-events}', {})).toBe('events');
    expect(resolve('${DATABASE_URL:-}', {})).toBe('');
    expect(resolve('${TOPIC:-events}', { TOPIC: 'orders' })).toBe('orders');
  });

  it('treat a variable set to the empty string as unset', () => {
    expect(resolve('${TOPIC:-events}', { TOPIC: '' })).toBe('events');
    expect(failure('${TOPIC}', { TOPIC: '' }).reason).toContain('environment variable TOPIC is not set');
  });

  it('read $${ as a literal ${, which is then never resolved', () => {
    expect(resolve('literal-$${NAME}', { NAME: 'resolved' })).toBe('literal-${NAME}');
    expect(resolve('$${NAME:-x} and ${NAME}', { NAME: 'v' })).toBe('${NAME:-x} and v');
    // An escaped reference to an unset variable is no error: it is not a reference.
    expect(resolve('$${UNSET_ANYWHERE}', {})).toBe('${UNSET_ANYWHERE}');
  });

  it('leave text that is no reference as it is', () => {
    expect(resolve('${not a name} ${1X} $HOME {X} ${X', { X: 'x' })).toBe('${not a name} ${1X} $HOME {X} ${X');
  });

  it('resolve once: a value containing ${…} or $${ stays literal', () => {
    const env = { OUTER: '${INNER}', ESCAPED: '$${INNER}', INNER: 'must-not-appear' };
    expect(resolve({ a: '${OUTER}', b: 'x-${ESCAPED}' }, env)).toEqual({ a: '${INNER}', b: 'x-$${INNER}' });
  });

  it('name the file, the field and the variable of an unset reference, never a value', () => {
    const env = { PRESENT: 'secret-value-of-another-variable' };
    const err = failure({ alerts: { channels: [{ url: 'https://${PRESENT}/${SLACK_TOKEN}' }] } }, env);
    expect(err.message).toBe('/etc/sl.yaml: alerts.channels[0].url: environment variable SLACK_TOKEN is not set (use ${SLACK_TOKEN:-default} for a fallback)');
    expect(err.file).toBe('/etc/sl.yaml');
    expect(err.field).toBe('alerts.channels[0].url');
    expect(err.reason).toBe('environment variable SLACK_TOKEN is not set (use ${SLACK_TOKEN:-default} for a fallback)');
    expect(err.message).not.toContain(env.PRESENT);
  });

  it('name fields from where the value sits in its document', () => {
    expect(failure([{ secret: '${K}' }], {}, ['hashing', 'keys']).field).toBe('hashing.keys[0].secret');
  });

  it('refuse keys that would replace an object prototype', () => {
    const hidden = JSON.parse('{"hashing": {"__proto__": {"current": 1}}}') as unknown;
    const err = failure(hidden, {});
    expect(err.field).toBe('hashing.__proto__');
    expect(err.reason).toBe('reserved key');
  });

  it('tell references from escapes and from text that only looks like one', () => {
    expect(hasEnvReference('${X}')).toBe(true);
    expect(hasEnvReference('prefix-${X:-fallback}')).toBe(true);
    expect(hasEnvReference('$${X}')).toBe(false);
    expect(hasEnvReference('$${X} and ${Y}')).toBe(true);
    expect(hasEnvReference('${not a name}')).toBe(false);
    expect(hasEnvReference('plain')).toBe(false);
  });
});
