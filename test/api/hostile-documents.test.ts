// Configuration documents are small; hostile ones (a YAML alias bomb, JSON nested 30,000 levels)
// must be refused as bad input, not take the validators down with a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

function aliasBomb(root: string): string {
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  lines.push(`${root}: *a8`);
  return `${lines.join('\n')}\n`;
}
const deepJson = (root: string) => `{"${root}": ${'['.repeat(30_000)}${']'.repeat(30_000)}}`;

describe('hostile configuration documents', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it.each([
    ['PUT /policies, YAML alias bomb', '/policies', aliasBomb('policies'), 'application/yaml'],
    ['PUT /policies, 30k-deep JSON', '/policies', deepJson('policies'), 'application/json'],
    ['PUT /policies, 30k-deep YAML flow', '/policies', `policies: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`, 'application/yaml'],
    ['PUT /classifiers, YAML alias bomb', '/classifiers/bomb', aliasBomb('patterns'), 'application/yaml'],
    ['PUT /classifiers, 30k-deep JSON', '/classifiers/bomb', deepJson('patterns'), 'application/json'],
  ])('%s → 400', async (_name, path, body, contentType) => {
    const reply = await api.call('PUT', path, { body, contentType });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.json.error.field).toBe('body');
  });

  it('still takes an ordinary policy', async () => {
    expect((await api.call('PUT', '/policies', { body: 'destinations:\n  - { name: w, topic: wh }\n' })).status).toBe(200);
  });
});
