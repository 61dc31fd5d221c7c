import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_YAML, startTestApi, type TestApi } from './helpers.js';

/** Classifier files are cached by the API but edited on disk by people too: each request sees the disk. */
describe('classifier files changed on disk', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const file = () => join(api.customDir, 'loyalty_number.yaml');
  const listed = async (id: string) => (await api.call('GET', '/classifiers')).json.items.filter((c: { id: string }) => c.id === id);

  it('serves a hand-edited file fresh on the next request, even a same-size edit right after a read', async () => {
    expect((await api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML })).status).toBe(200);
    expect((await api.call('GET', '/classifiers/loyalty_number')).json.classifier.name).toBe('Loyalty number');
    for (const name of ['Loyalty numbeR', 'Loyalty NUMBER', 'LOYALTY number']) {
      const edited = CLASSIFIER_YAML.replace('Loyalty number', name);
      writeFileSync(file(), edited);
      const one = await api.call('GET', '/classifiers/loyalty_number');
      expect(one.json.classifier.name).toBe(name);
      expect(one.json.content).toBe(edited);
      expect(await listed('loyalty_number')).toMatchObject([{ name }]);
    }
    writeFileSync(file(), CLASSIFIER_YAML.replace('classification: red', 'classification: green'));
    expect(await listed('loyalty_number')).toMatchObject([{ classification: 'green' }]);
  });

  it('serves a write through the API at once', async () => {
    const put = await api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML.replace('classification: red', 'classification: yellow') });
    expect(put.json.classifier.classification).toBe('yellow');
    expect((await api.call('GET', '/classifiers/loyalty_number')).json.classifier.classification).toBe('yellow');
  });

  it('sees files added, broken, fixed and removed by hand', async () => {
    const added = join(api.customDir, 'team.yaml');
    const yaml = CLASSIFIER_YAML.replaceAll('loyalty_number', 'member_code').replace('Loyalty number', 'Member code');
    writeFileSync(added, yaml);
    expect(await listed('member_code')).toMatchObject([{ name: 'Member code', file: 'team.yaml' }]);
    writeFileSync(added, 'id: [unclosed\n');
    const broken = await api.call('GET', '/classifiers');
    expect(broken.status).toBe(409);
    expect(broken.json.error.code).toBe('config_invalid');
    writeFileSync(added, yaml);
    expect((await api.call('GET', '/classifiers/member_code')).status).toBe(200);
    rmSync(added);
    expect((await api.call('GET', '/classifiers/member_code')).status).toBe(404);
    expect(await listed('member_code')).toEqual([]);
  });
});
