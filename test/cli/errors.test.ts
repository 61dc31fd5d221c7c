// Errors through the real binary: a typo gets a "did you mean", a wrong flag gets our own words
// (never Node's parseArgs text, never a value the person typed), an id that names nothing exits 2,
// and a configuration error reads the same from every command: docs/errors.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, segmentloomAsync } from './helpers.js';

const NODE_TEXT = /Unknown option|To specify a positional|argument missing|ERR_PARSE_ARGS/;

describe('CLI errors', () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'house-habits-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('suggests the command a typo meant, exit 2', async () => {
    const r = await segmentloomAsync(['scna']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^segmentloom: unknown command "scna" \(did you mean "scan"\?\)\n/);
  });

  it('lists the commands when nothing is close', async () => {
    const r = await segmentloomAsync(['deploy']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^segmentloom: unknown command "deploy" \(known: scan, classifiers, policies, config, run, /);
  });

  it('suggests subcommands too', async () => {
    const r = await segmentloomAsync(['keys', 'revok']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('segmentloom keys: unknown keys command "revok" (did you mean "revoke"?)\n');
  });

  it('names an unknown flag with a did-you-mean, in its own words', async () => {
    const r = await segmentloomAsync(['scan', '--fromat', 'table'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('segmentloom scan: unknown flag --fromat (did you mean --format?)\n');
  });

  it('never repeats the value given with an unknown flag', async () => {
    const r = await segmentloomAsync(['scan', '--email=jane.doe@example.com']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('segmentloom scan: unknown flag --email (see --help)\n');
    expect(r.stderr).not.toMatch(NODE_TEXT);
  });

  it('says which flag needs a value, and which takes none', async () => {
    const missing = await segmentloomAsync(['scan', '--format']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('segmentloom scan: --format needs a value (--format VALUE)\n');
    const extra = await segmentloomAsync(['scan', '--help=yes']);
    expect(extra.status).toBe(2);
    expect(extra.stderr).toBe('segmentloom scan: --help takes no value\n');
  });

  it('words a configuration error one way: file, field, problem, line; exit 78', async () => {
    const engine = path.join(dir, 'engine.yaml');
    writeFileSync(engine, 'kafak:\n  brokers: [localhost:9092]\n');
    const typo = await segmentloomAsync(['run', '--config', engine, '--input', '/dev/null']);
    expect(typo.status).toBe(78);
    expect(typo.stderr).toBe(`segmentloom run: invalid configuration:\n${engine}: kafak: unknown field (line 1) (did you mean "kafka"?)\n`);

    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(policy, 'policies:\n  - { name: p, mtach: { categories: [email] }, action: block }\n');
    const nested = await segmentloomAsync(['run', '--config', policy, '--input', '/dev/null']);
    expect(nested.status).toBe(78);
    expect(nested.stderr).toBe(
      `segmentloom run: invalid configuration:\n${policy}: policies[0]: unknown field "mtach" (did you mean "match"?) (line 2)\n${policy}: policies[0].match: required (expected object) (line 2)\n`,
    );
  });

  it('exits 2 for an id that names nothing, saying what kind of thing, not the id', async () => {
    const env = {
      SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
      SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: '',
    };
    const data = path.join(dir, 'data');
    expect((await segmentloomAsync(['init', '--data-dir', data], { env, timeoutMs: 240_000 })).status).toBe(0);
    const r = await segmentloomAsync(['inventory', 'accept', 'web', 'Order Completed', 'properties.secret_id', '--data-dir', data], {
      env,
      timeoutMs: 240_000,
    });
    expect(r.stderr).toBe('segmentloom inventory: no such data point\n');
    expect(r.status).toBe(2);
  }, 600_000);
});
