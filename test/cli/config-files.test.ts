// Policies and classifiers without curl, through the real binary: a config with inline policies is
// split into a policy file, then policies and classifiers are shown, diffed, applied, listed and
// rolled back with the API's own validation, versions and audit entries (actor cli).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VALIDATORS } from '../../src/detect/index.js';
import { requireBuild, ROOT, type CliResult } from './helpers.js';

const BASE_ENV = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1', SEGMENTLOOM_HASH_KEY: 'config-files-test-hash-key-0123456789' }).filter(
    ([k]) => !/^(DATABASE_URL|SEGMENTLOOM_(?!HASH_KEY))/.test(k),
  ),
) as NodeJS.ProcessEnv;

async function cli(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), ...args], { cwd, env: BASE_ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end('');
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  return { status, signal, stdout, stderr, elapsed: Date.now() - started };
}

const CONFIG = `# engine config for the test
source: web
files: { input: ./events.ndjson, outDir: ./out }
classifiers: [builtin, ./custom]

# The key comes from the environment.
hashing:
  current: 1
  keys:
    - version: 1
      secret: \${SEGMENTLOOM_HASH_KEY}

policies:
  # Cards never leave the engine.
  - name: block-cards
    match: { categories: [credit_card_number] }
    action: block

destinations:
  - name: warehouse
    topic: segment.warehouse

storage:
  dataDir: ./data
  masterKeys: 1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA=
  lookupKey: c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE=
`;

const CLASSIFIER = `id: loyalty_number
name: Loyalty number
description: A loyalty programme member number.
classification: yellow
category: user.unique_id
key:
  names: [loyalty number, loyalty id]
`;

describe('policies and classifiers from the CLI (embedded store named by --config)', () => {
  let dir: string;
  let config: string;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'config-files-'));
    mkdirSync(path.join(dir, 'custom'));
    config = path.join(dir, 'engine.yaml');
    writeFileSync(config, CONFIG, { mode: 0o600 });
    writeFileSync(
      path.join(dir, 'events.ndjson'),
      `${JSON.stringify({ type: 'track', event: 'Viewed', messageId: 'cf-1', userId: 'u-cf', properties: { plan: 'pro' } })}\n`,
    );
    const ran = await cli(['run', '--config', config, '--log-level', 'silent']);
    expect(ran.status, ran.stderr).toBe(0);
  });

  it('config split-policies moves the inline policy sections into a policy file, comments included', async () => {
    const inline = await cli(['policies', 'apply', path.join(dir, 'engine.yaml'), '--config', config]);
    expect(inline.status).toBe(78);
    expect(inline.stderr).toContain('config split-policies');

    const split = await cli(['config', 'split-policies', '--config', config]);
    expect(split.status, split.stderr).toBe(0);
    const policies = readFileSync(path.join(dir, 'policies.yaml'), 'utf8');
    expect(policies).toContain('# Cards never leave the engine.');
    expect(policies).toContain('name: block-cards');
    expect(policies).toContain('topic: segment.warehouse');
    const rewritten = readFileSync(config, 'utf8');
    expect(rewritten).toContain('policyFile: ./policies.yaml');
    expect(rewritten).toContain('# engine config for the test');
    expect(rewritten).not.toContain('block-cards');
    expect(rewritten).toContain('dataDir: ./data');

    const again = await cli(['config', 'split-policies', '--config', config]);
    expect(again.status).toBe(78);
    expect(again.stderr).toContain('policyFile');
  });

  it('policies show, diff, apply, versions and rollback, each write audited', async () => {
    const shown = await cli(['policies', 'show', '--config', config, '--format', 'json']);
    expect(shown.status, shown.stderr).toBe(0);
    const current = JSON.parse(shown.stdout) as { file: string; inline: boolean; document: { policies: Array<{ name: string }> } };
    expect(current).toMatchObject({ file: 'policies.yaml', inline: false });
    expect(current.document.policies.map((p) => p.name)).toEqual(['block-cards']);

    const proposed = path.join(dir, 'proposed.yaml');
    writeFileSync(
      proposed,
      readFileSync(path.join(dir, 'policies.yaml'), 'utf8').replace(
        '    action: block\n',
        '    action: block\n  - name: block-ssn\n    match: { categories: [us_ssn] }\n    action: block\n',
      ),
    );
    const diff = await cli(['policies', 'diff', proposed, '--config', config]);
    expect(diff.status, diff.stderr).toBe(1);
    expect(diff.stdout).toContain('+  - name: block-ssn');
    expect(diff.stdout).not.toContain('config-files-test-hash-key');

    const applied = await cli(['policies', 'apply', proposed, '--config', config]);
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('version 1');
    expect(readFileSync(path.join(dir, 'policies.yaml'), 'utf8')).toContain('block-ssn');
    expect((await cli(['policies', 'diff', proposed, '--config', config])).stdout).toBe('(no changes)\n');

    const literal = path.join(dir, 'literal.yaml');
    writeFileSync(literal, readFileSync(proposed, 'utf8').replace('${SEGMENTLOOM_HASH_KEY}', 'a-literal-secret-0123456789'));
    const refused = await cli(['policies', 'apply', literal, '--config', config]);
    expect(refused.status).toBe(78);
    expect(refused.stderr).toContain('hashing.keys[0].secret');
    expect(refused.stderr).not.toContain('a-literal-secret');

    const invalid = path.join(dir, 'invalid.yaml');
    writeFileSync(invalid, 'policies:\n  - name: x\n    action: explode\n');
    const rejected = await cli(['policies', 'apply', invalid, '--config', config]);
    expect(rejected.status).toBe(78);
    expect(rejected.stderr).toContain('action');

    const original = path.join(dir, 'original.yaml');
    writeFileSync(original, readFileSync(proposed, 'utf8').replace(/ {2}- name: block-ssn\n.*\n.*\n/, ''));
    expect((await cli(['policies', 'apply', original, '--config', config])).status).toBe(0);

    const versions = await cli(['policies', 'versions', '--config', config, '--format', 'json']);
    expect(versions.status, versions.stderr).toBe(0);
    expect((JSON.parse(versions.stdout) as { items: Array<{ version: number }> }).items.map((v) => v.version)).toEqual([2, 1]);

    const rolled = await cli(['policies', 'rollback', '1', '--config', config]);
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain('version 3 written');
    expect(readFileSync(path.join(dir, 'policies.yaml'), 'utf8')).toContain('block-ssn');
    const missing = await cli(['policies', 'rollback', '9', '--config', config]);
    expect(missing.status).toBe(2);

    const audit = await cli(['audit', 'tail', '--config', config, '--format', 'json', '--target-type', 'policy']);
    expect(audit.status, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; actor: { role: string }; after: { version: number; rolledBackFrom?: number } }>;
    expect(entries.map((e) => [e.action, e.after.version])).toEqual([
      ['policies.put', 1],
      ['policies.put', 2],
      ['policies.rollback', 3],
    ]);
    expect(entries.every((e) => e.actor.role === 'cli')).toBe(true);
    expect(entries[2]!.after.rolledBackFrom).toBe(1);
  }, 240_000);

  it('classifiers apply, show, diff, versions and rollback through the custom directory', async () => {
    const file = path.join(dir, 'loyalty.yaml');
    writeFileSync(file, CLASSIFIER);
    const applied = await cli(['classifiers', 'apply', file, '--config', config]);
    expect(applied.status, applied.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'custom', 'loyalty_number.yaml'), 'utf8')).toBe(CLASSIFIER);

    const shown = await cli(['classifiers', 'show', 'loyalty_number', '--config', config, '--format', 'json']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'loyalty_number', origin: 'custom', version: { version: 1 }, content: CLASSIFIER });

    const red = path.join(dir, 'loyalty-red.yaml');
    writeFileSync(red, CLASSIFIER.replace('yellow', 'red'));
    const diff = await cli(['classifiers', 'diff', 'loyalty_number', red, '--config', config]);
    expect(diff.status).toBe(1);
    expect(diff.stdout).toContain('-classification: yellow');
    expect(diff.stdout).toContain('+classification: red');
    expect((await cli(['classifiers', 'apply', red, '--config', config])).status).toBe(0);

    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, CLASSIFIER.replace('yellow', 'crimson'));
    const refused = await cli(['classifiers', 'apply', broken, '--config', config]);
    expect(refused.status).toBe(78);
    expect(refused.stderr).toContain('classification');

    const versions = await cli(['classifiers', 'versions', 'loyalty_number', '--config', config]);
    expect(versions.status, versions.stderr).toBe(0);
    expect(versions.stdout.split('\n')[0]).toMatch(/^VERSION\s+CREATED\s+AUTHOR\s+SHA256$/);
    expect(versions.stdout.trim().split('\n')).toHaveLength(3);

    const rolled = await cli(['classifiers', 'rollback', 'loyalty_number', '1', '--config', config]);
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'custom', 'loyalty_number.yaml'), 'utf8')).toBe(CLASSIFIER);
    const listed = await cli(['classifiers', 'list', '--classifiers', path.join(dir, 'custom'), '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 'loyalty_number', classification: 'yellow' })]);

    const unknown = await cli(['classifiers', 'show', 'no_such_thing', '--config', config]);
    expect(unknown.status).toBe(2);
    const noConfig = await cli(['classifiers', 'versions', 'loyalty_number']);
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain('--config');
  }, 240_000);
});

describe('classifiers validators', () => {
  it('describes every validator: what it checks and the standard it follows', async () => {
    requireBuild();
    const result = await cli(['classifiers', 'validators', '--format', 'json']);
    expect(result.status, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ name: string; checks: string; standard: string | null }>;
    expect(rows.map((r) => r.name)).toEqual(Object.keys(VALIDATORS).sort());
    for (const row of rows) expect(row.checks.length, row.name).toBeGreaterThan(10);
    expect(rows.find((r) => r.name === 'iban')?.standard).toContain('ISO 13616');
    expect(rows.find((r) => r.name === 'luhn')?.standard).toContain('ISO/IEC 7812');
    const table = await cli(['classifiers', 'validators']);
    expect(table.stdout).toContain('us_ssn\n  checks:');
  });
});
