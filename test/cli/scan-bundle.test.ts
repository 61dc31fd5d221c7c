import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDenseCorpus } from '../../benchmarks/dense-corpus.js';
import { bundleIsFresh, commandSpecifier } from '../../src/cli/bundles.js';
import { requireBuild, ROOT, segmentloomAsync } from './helpers.js';

// `segmentloom scan` runs from one bundled module (dist/bundle/scan.js, scripts/build-cli-bundle.js)
// for its start-up; these tests hold it to the tsc output it was made from: same output, same
// errors, same exit statuses, and never used once it is older than that output.

const BUNDLE = path.join(ROOT, 'dist', 'bundle', 'scan.js');
const MODULES = path.join(ROOT, 'dist', 'cli', 'commands', 'scan.js');

let tmp: string;
beforeAll(() => {
  requireBuild();
  if (!existsSync(BUNDLE)) throw new Error('dist/bundle/scan.js is missing: run `npm run build` before these tests (npm test does it)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'segmentloom-bundle-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const REPORT = pathToFileURL(path.join(ROOT, 'dist', 'cli', 'arg-errors.js')).href;

/** Runs scan's `run` from `module` (bundle or tsc output) in a fresh node process, reporting errors as main.js does. */
function scanWith(module: string, args: readonly string[]) {
  const script = `const { run } = await import(${JSON.stringify(pathToFileURL(module).href)});
const { reportCliError } = await import(${JSON.stringify(REPORT)});
try {
  process.exitCode = await run(JSON.parse(process.argv[1]), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
} catch (err) {
  process.exitCode = reportCliError('scan', err, process.stderr) ?? 99;
}`;
  // Asynchronous: a blocked test worker misses vitest's own heartbeats on a busy machine.
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify(args)],
      { cwd: ROOT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

// Each case starts node 2-4 times; the machine is shared.
describe('the scan bundle', { timeout: 120_000 }, () => {
  it('reports what the separate modules report, on independently generated PII-dense events and invalid lines', async () => {
    const corpus = generateDenseCorpus(200, 20261204);
    const file = path.join(tmp, 'dense.ndjson');
    writeFileSync(file, `${corpus.lines.join('\n')}\nnot json\n{"type":"nope"}\n\n${readFileSync(path.join(ROOT, 'samples', 'events.ndjson'), 'utf8')}`);
    for (const format of ['csv', 'table']) {
      const args = [file, '--format', format, '--all'];
      const bundled = await scanWith(BUNDLE, args);
      expect(bundled.status).toBe(0);
      expect(bundled.stderr).toContain('dense.ndjson:201: skipped: malformed JSON');
      expect(bundled).toEqual(await scanWith(MODULES, args));
    }
  });

  it('parses custom classifier YAML (the path the built-in cache skips) as the modules do', async () => {
    const dir = path.join(tmp, 'classifiers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'loyalty.yaml'),
      ['id: loyalty_number', 'name: Loyalty number', 'classification: yellow', 'category: user.loyalty_id', 'key:', '  names: [loyalty number]', ''].join('\n'),
    );
    writeFileSync(path.join(dir, 'broken.yml'), 'id: broken\nclassification: purple\n');
    const file = path.join(tmp, 'one.ndjson');
    writeFileSync(file, `${JSON.stringify({ type: 'track', event: 'Joined', timestamp: '2026-01-02T03:04:05Z', properties: { loyaltyNumber: 'L-1' } })}\n`);
    const broken = await scanWith(BUNDLE, [file, '--classifiers', dir]);
    expect(broken.status).not.toBe(0);
    expect(broken).toEqual(await scanWith(MODULES, [file, '--classifiers', dir]));
    rmSync(path.join(dir, 'broken.yml'));
    const bundled = await scanWith(BUNDLE, [file, '--classifiers', dir, '--format', 'csv']);
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toContain('loyalty');
    expect(bundled).toEqual(await scanWith(MODULES, [file, '--classifiers', dir, '--format', 'csv']));
  });

  it('keeps the exit status and message of a usage error through the binary (one error class with main)', async () => {
    const result = await segmentloomAsync(['scan', path.join(tmp, 'absent.ndjson')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot read input file');
  });
});

describe('which scan module the binary loads', () => {
  it('is the bundle only while it is no older than the tsc output', () => {
    const bundle = path.join(tmp, 'bundle.js');
    const source = path.join(tmp, 'source.js');
    expect(bundleIsFresh(bundle, source)).toBe(false);
    writeFileSync(source, '');
    writeFileSync(bundle, '');
    utimesSync(source, new Date(1_000_000), new Date(1_000_000));
    utimesSync(bundle, new Date(2_000_000), new Date(2_000_000));
    expect(bundleIsFresh(bundle, source)).toBe(true);
    utimesSync(source, new Date(3_000_000), new Date(3_000_000));
    expect(bundleIsFresh(bundle, source)).toBe(false);
  });

  it('is the tsc output for a command that is not bundled, and where no bundle was built', () => {
    expect(commandSpecifier('inventory', pathToFileURL(path.join(ROOT, 'dist', 'cli', 'main.js')).href)).toBe('./commands/inventory.js');
    expect(commandSpecifier('scan', pathToFileURL(path.join(tmp, 'cli', 'main.js')).href)).toBe('./commands/scan.js');
    expect(commandSpecifier('scan', pathToFileURL(path.join(ROOT, 'dist', 'cli', 'main.js')).href)).toBe('../bundle/scan.js');
  });
});
