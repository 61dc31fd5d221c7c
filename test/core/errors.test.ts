import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_CODES, ERRORS, EXIT, NotFoundError, SegmentloomError, UsageError, exitStatusOf } from '../../src/core/errors.js';
import { ConfigError } from '../../src/core/errors-config.js';
import { PolicyConfigError } from '../../src/policy/config.js';
import { StoreNotFoundError } from '../../src/storage/store-missing.js';
import { KeyConfigError } from '../../src/storage/crypto/master-keys.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The rows of the markdown table whose header row starts with `| first |`. */
function tableRows(markdown: string, first: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${first} |`));
  expect(start, `a table starting "| ${first} |" in docs/errors.md`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
  }
  return rows;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('the table of error codes', () => {
  it('lists every code of src/core/errors.ts with its exit status, HTTP status and meaning, and no other', async () => {
    const rows = tableRows(await readFile(join(ROOT, 'docs', 'errors.md'), 'utf8'), 'Code');
    const documented = rows.map(([code, exit, http, summary]) => ({
      code: code!.replace(/`/g, ''),
      exit: Number(exit),
      http: http!.replace(/`/g, ''),
      summary,
    }));
    const defined = Object.entries(ERRORS).map(([code, spec]) => ({
      code,
      exit: spec.exit,
      http: 'http' in spec ? `${spec.http.status} ${spec.http.code}` : '—',
      summary: spec.summary,
    }));
    expect(documented).toEqual(defined);
  });

  it('lists every API error code with its status, and no other', async () => {
    const rows = tableRows(await readFile(join(ROOT, 'docs', 'errors.md'), 'utf8'), '`error.code`');
    expect(rows.map(([code, status, summary]) => ({ code: code!.replace(/`/g, ''), status: Number(status), summary }))).toEqual(
      Object.entries(API_CODES).map(([code, spec]) => ({ code, status: spec.status, summary: spec.summary })),
    );
  });

  it('gives every error that reaches the API a registered API code with the same status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      if (!('http' in spec)) continue;
      expect(API_CODES[spec.http.code as keyof typeof API_CODES], code).toBeDefined();
      expect(API_CODES[spec.http.code as keyof typeof API_CODES].status, code).toBe(spec.http.status);
    }
  });

  it('is the only base of error classes in src/: every error class has a code', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      // The portal's browser bundle (its own tsconfig) reports HTTP answers, not engine errors.
      if (relative(ROOT, file).startsWith(join('src', 'portal', 'ui'))) continue;
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/class (\w+) extends (?:Error|TypeError|RangeError)\b/g)) offenders.push(`${relative(ROOT, file)}: ${match[1]}`);
    }
    expect(offenders).toEqual(['src/core/errors.ts: SegmentloomError']);
  });

  it('answers with the status the table gives each API code, wherever an answer is built', async () => {
    const mismatches: string[] = [];
    let seen = 0;
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/new (?:ApiError|Refusal)\((\d{3}), '([a-z_]+)'/g)) {
        seen++;
        const spec = API_CODES[match[2] as keyof typeof API_CODES];
        if (spec === undefined || spec.status !== Number(match[1])) mismatches.push(`${relative(ROOT, file)}: ${match[1]} ${match[2]}`);
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });
});

describe('error classes', () => {
  it('take code, exit status and HTTP status from the registry', () => {
    const cases: Array<[SegmentloomError, string, number, number | undefined]> = [
      [new UsageError('--x needs a value'), 'SLOOM_ERR_USAGE', EXIT.usage, undefined],
      [new NotFoundError('data point'), 'SLOOM_ERR_NOT_FOUND', EXIT.usage, 404],
      [new ConfigError('f: x: bad', 'f', 'x'), 'SLOOM_ERR_CONFIG', EXIT.config, undefined],
      [new PolicyConfigError([{ field: 'policies[0]', message: 'bad' }]), 'SLOOM_ERR_POLICY_CONFIG', EXIT.config, 400],
      [new StoreNotFoundError('no store'), 'SLOOM_ERR_STORE_NOT_FOUND', EXIT.config, undefined],
      [new KeyConfigError('no master key'), 'SLOOM_ERR_KEY_CONFIG', EXIT.config, undefined],
    ];
    for (const [err, code, exit, status] of cases) {
      expect(err).toBeInstanceOf(SegmentloomError);
      expect([err.code, err.exitCode, err.statusCode, exitStatusOf(err)]).toEqual([code, exit, status, exit]);
    }
    expect(exitStatusOf(new Error('a bug'))).toBeUndefined();
  });

  it('says "no such <kind>", never the id that was looked up', () => {
    expect(new NotFoundError('request').message).toBe('no such request');
  });

  it('places a section error in its file in the one wording, keeping the code', () => {
    const err = new PolicyConfigError([
      { field: 'policies[0]', message: 'unknown field "mtach" (did you mean "match"?)' },
      { field: 'consentDefault', message: 'expected one of "allow", "deny"' },
    ]).inFile('/etc/sl.yaml');
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe('SLOOM_ERR_POLICY_CONFIG');
    expect(err.file).toBe('/etc/sl.yaml');
    expect(err.field).toBe('policies[0]');
    expect(err.message).toBe(
      '/etc/sl.yaml: policies[0]: unknown field "mtach" (did you mean "match"?)\n/etc/sl.yaml: consentDefault: expected one of "allow", "deny"',
    );
  });

  it('counts the problems past the tenth instead of hiding them', () => {
    const issues = Array.from({ length: 12 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));
    const lines = ConfigError.fromIssues('c.yaml', issues).message.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('c.yaml: 2 more problem(s) not shown; fix these first');
  });
});
