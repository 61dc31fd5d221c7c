// Policies uploaded through the API resolve `${ENV}` references with the engine's resolver, against
// the API's environment, once; references are taken only in hashing secrets and destination topics.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

const OTHER_SECRET = 'a-server-variable-no-caller-may-read';
// Resolved once, this is the secret itself: the `${…}` in it is never looked up.
const HASH_KEY = '${SL_API_VARIABLE_NEVER_SET}';

const hashing = (secret: string) => `hashing:\n  current: 1\n  keys: [{ version: 1, secret: "${secret}" }]\n`;

describe('environment references in policy uploads', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ env: { HASH_KEY, TOPIC_SUFFIX: 'eu', EMPTY_HASH_KEY: '', OTHER_SECRET } });
  });
  afterAll(() => api.close());

  const put = (body: string) => api.call('PUT', '/policies', { body });

  it('uses a secret whose value contains ${…} as it is', async () => {
    const reply = await put(hashing('${HASH_KEY}'));
    expect(reply.status, reply.text).toBe(200);
    expect(readFileSync(api.policyFile, 'utf8')).toContain('${HASH_KEY}');
  });

  it('resolves destination topics, with fallbacks; $${ is a literal ${, which no topic name may hold', async () => {
    const reply = await put('destinations:\n  - { name: a, topic: "out.${TOPIC_SUFFIX}" }\n  - { name: b, topic: "out.${NO_SUCH_TOPIC:-default}" }\n');
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json.destinations).toEqual(['a', 'b']);
    const literal = await put('destinations:\n  - { name: c, topic: "out.$${NOT_A_REFERENCE}" }\n');
    expect(literal.status).toBe(400);
    expect(literal.json.error.field).toBe('destinations[0].topic');
  });

  it('takes $${ anywhere, since it is no reference, and still no reference outside secrets and topics', async () => {
    const escaped = await put('policies:\n  - { name: p, sources: ["$${NOT_A_REFERENCE}"], match: { categories: [email] }, action: block }\n');
    expect(escaped.status, escaped.text).toBe(200);

    const named = await put('policies:\n  - { name: p, sources: ["${OTHER_SECRET}"], match: { categories: [email] }, action: block }\n');
    expect(named.status).toBe(400);
    expect(named.json.error).toMatchObject({ field: 'policies[0].sources[0]' });
    expect(named.text).not.toContain(OTHER_SECRET);
  });

  it('refuses an escaped reference as a secret: it is a literal', async () => {
    const reply = await put(hashing('$${HASH_KEY}'));
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ field: 'hashing.keys[0].secret' });
  });

  it('names the field and the variable when it is unset or empty, never a value', async () => {
    for (const name of ['NOT_SET_HASH_KEY', 'EMPTY_HASH_KEY']) {
      const reply = await put(hashing(`\${${name}}`));
      expect(reply.status).toBe(400);
      expect(reply.json.error).toMatchObject({ code: 'invalid_policy', field: 'hashing.keys[0].secret' });
      expect(reply.json.error.message).toContain(`environment variable ${name} is not set`);
      expect(reply.text).not.toContain(OTHER_SECRET);
    }
  });

  it('never resolves key material or credentials, and takes only variables meant for the field', async () => {
    for (const [field, body] of [
      ['destinations[0].topic', 'destinations:\n  - { name: a, topic: "${SEGMENTLOOM_MASTER_KEYS}" }\n'],
      ['destinations[0].topic', 'destinations:\n  - { name: a, topic: "${DATABASE_URL}" }\n'],
      ['destinations[0].topic', 'destinations:\n  - { name: a, topic: "x.${SEGMENTLOOM_LOOKUP_KEY:-x}" }\n'],
      ['destinations[0].topic', 'destinations:\n  - { name: a, topic: "${OTHER_SECRET}" }\n'],
      ['hashing.keys[0].secret', hashing('${PATH}')],
      ['hashing.keys[0].secret', hashing('${OTHER_SECRET}')],
      ['hashing.keys[0].secret', hashing('${SEGMENTLOOM_MASTER_HASH}')],
    ] as const) {
      const reply = await put(body);
      expect(reply.status, body).toBe(400);
      expect(reply.json.error.field).toBe(field);
      expect(reply.text).not.toContain(OTHER_SECRET);
    }
  });

  it('checks resolved topics against the Kafka topic charset', async () => {
    for (const topic of ['has space', 'a/b', '.', 'x'.repeat(250), 'ü']) {
      const reply = await put(`destinations:\n  - { name: a, topic: ${JSON.stringify(topic)} }\n`);
      expect(reply.status, topic).toBe(400);
      expect(reply.json.error.field).toBe('destinations[0].topic');
    }
    expect((await put('destinations:\n  - { name: a, topic: "segment.warehouse_v2-eu" }\n')).status).toBe(200);
  });
});
