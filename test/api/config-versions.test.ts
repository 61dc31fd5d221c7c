import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../storage/helpers.js';
import { CLASSIFIER_YAML, POLICY_YAML, startTestApi, type TestApi } from './helpers.js';

const POLICY_V2 = 'destinations:\n  - { name: lake, topic: segment.lake }\n';

/**
 * A config file changes only together with its audit entry. The audit insert is made to fail for
 * real: a CHECK constraint on audit_log refusing the write's action (DDL, which the append-only
 * triggers do not cover; NOT VALID leaves the existing entries alone).
 */
describe.each(ENGINES)('config writes and their audit entries (%s)', (engine) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ engine });
  });
  afterAll(() => api?.close());

  const refuseAudits = () =>
    api.t.db.exec("ALTER TABLE audit_log ADD CONSTRAINT test_refuse_config_audits CHECK (action NOT IN ('classifiers.put', 'policies.put')) NOT VALID");
  const allowAudits = () => api.t.db.exec('ALTER TABLE audit_log DROP CONSTRAINT test_refuse_config_audits');
  const count = async (sql: string) => (await api.t.db.query<{ n: number }>(sql))[0]!.n;

  it('an audit insert that fails leaves the files, the versions and the audit log as they were', async () => {
    const classifierFile = join(api.customDir, 'loyalty_number.yaml');
    expect((await api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML })).status).toBe(200);
    const audits = await count('SELECT count(*)::int AS n FROM audit_log');
    const versions = await count('SELECT count(*)::int AS n FROM config_versions');

    await refuseAudits();
    try {
      const replace = await api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML.replace('classification: red', 'classification: green') });
      expect(replace.status).toBe(500);
      expect(readFileSync(classifierFile, 'utf8')).toBe(CLASSIFIER_YAML);

      const create = await api.call('PUT', '/classifiers/member_code', { body: CLASSIFIER_YAML.replaceAll('loyalty_number', 'member_code') });
      expect(create.status).toBe(500);
      expect(existsSync(join(api.customDir, 'member_code.yaml'))).toBe(false);

      const policy = await api.call('PUT', '/policies', { body: POLICY_V2 });
      expect(policy.status).toBe(500);
      expect(readFileSync(api.policyFile, 'utf8')).toBe(POLICY_YAML);

      // No temp file left behind either, and the API still serves what is on disk.
      expect(readdirSync(api.customDir)).toEqual(['loyalty_number.yaml']);
      expect(readdirSync(api.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      expect((await api.call('GET', '/classifiers/loyalty_number')).json.classifier.classification).toBe('red');
    } finally {
      await allowAudits();
    }
    expect(await count('SELECT count(*)::int AS n FROM audit_log')).toBe(audits);
    expect(await count('SELECT count(*)::int AS n FROM config_versions')).toBe(versions);

    // Once the audit log takes entries again, the same writes land, numbered densely.
    const again = await api.call('PUT', '/classifiers/loyalty_number', { body: CLASSIFIER_YAML.replace('classification: red', 'classification: green') });
    expect(again.status, again.text).toBe(200);
    expect(again.json.version.version).toBe(2);
    expect(readFileSync(classifierFile, 'utf8')).toContain('classification: green');
    expect((await api.call('PUT', '/policies', { body: POLICY_V2 })).status).toBe(200);
    expect(readFileSync(api.policyFile, 'utf8')).toBe(POLICY_V2);
    const entries = (await api.call('GET', '/audit?targetType=classifier')).json.items;
    expect(entries.map((e: { after: { version: number } }) => e.after.version)).toEqual([1, 2]);
  });
});
