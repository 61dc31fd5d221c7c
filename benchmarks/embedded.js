// The embedded default (`npm start`: config/embedded.yaml, the file pipeline with the embedded
// store and the shared inventory on), measured as a new user meets it, whole processes:
//   - first start on a fresh data dir: spawn to exit of `segmentloom run` over one event (the event
//     stored, the inventory flushed, the store closed), and its peak RSS;
//   - the same on the existing data dir;
//   - events/s with inventory on, marginal: a large run minus a small run on existing dirs (so the
//     start-up cost cancels), on PII-dense events from the independent generator (fresh seed) and on
//     the project's corpus; and the peak RSS of the large run.
// Targets (issue 14): first start <= 3 s, RSS <= 300 MB, >= 5k events/s.
//   node benchmarks/embedded.js   (after npm run build; EMBEDDED_EVENTS sets the large run, default 20000)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';
import { generateDenseCorpus } from './dense-corpus.js';
import { atMost, perSecond, target } from './targets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/segmentloom.js');
const CONFIG = path.join(ROOT, 'config/embedded.yaml');
// Preloaded into the engine process: writes its peak RSS (bytes) to SL_BENCH_RSS_FILE at exit.
const RSS_HOOK = fileURLToPath(new URL('./rss-at-exit.js', import.meta.url));
const LARGE = Number(process.env.EMBEDDED_EVENTS ?? 20_000);
const SMALL = Math.max(1, Math.round(LARGE / 10));

const work = mkdtempSync(path.join(tmpdir(), 'sl-embedded-'));

/** @typedef {{ seconds: number; cpuSeconds: number; rssMb: number; summary: { stored?: { events?: number } } }} EngineRun */

/**
 * Runs the engine over `input` with the data dir `dataDir`; resolves { seconds, cpuSeconds, rssMb, summary }.
 * @param {string} input
 * @param {string} dataDir
 * @returns {Promise<EngineRun>}
 */
function runEngine(input, dataDir) {
  const rssFile = path.join(work, `rss-${process.hrtime.bigint()}`);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, BIN, 'run', '--config', CONFIG, '--input', input, '--out', path.join(work, 'out'), '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SEGMENTLOOM_DATA_DIR: dataDir, SL_BENCH_RSS_FILE: rssFile },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`segmentloom run exited ${code}: ${stderr.slice(-2000)}`));
      const usage = JSON.parse(readFileSync(rssFile, 'utf8'));
      resolve({ seconds, cpuSeconds: usage.cpuSeconds, rssMb: usage.rss / 1024 / 1024, summary: JSON.parse(stdout) });
    });
  });
}

/**
 * @param {string} name
 * @param {string[]} lines
 */
function writeInput(name, lines) {
  const file = path.join(work, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * Stored events of a run, checked so a fast run that stored nothing cannot pass.
 * @param {EngineRun} run
 * @param {number} expected
 * @param {string} what
 */
function stored(run, expected, what) {
  const n = run.summary.stored?.events;
  if (n !== expected) throw new Error(`${what}: expected ${expected} stored events, the summary says ${JSON.stringify(run.summary.stored)}`);
  return n;
}

try {
  console.log(
    `  load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const one = writeInput('one.ndjson', [
    JSON.stringify({
      type: 'track',
      event: 'Checkout Step',
      messageId: 'embedded-bench-1',
      userId: 'u-81',
      properties: { contact: 'j.doe@example.net', step: 2 },
    }),
  ]);
  const fresh = path.join(work, 'fresh');
  const first = await runEngine(one, fresh);
  stored(first, 1, 'first start');
  const again = await runEngine(one, fresh);
  // CPU seconds beside wall seconds: on a shared machine under load the wall figure is mostly waiting.
  console.log(
    `  first start, fresh data dir (spawn to exit, one event stored): ${first.seconds.toFixed(2)} s (${first.cpuSeconds.toFixed(2)} CPU s), peak RSS ${first.rssMb.toFixed(0)} MB`,
  );
  console.log(
    `  start on the existing data dir (same event, a duplicate): ${again.seconds.toFixed(2)} s (${again.cpuSeconds.toFixed(2)} CPU s), peak RSS ${again.rssMb.toFixed(0)} MB`,
  );
  atMost('embedded first start, fresh data dir', first.seconds, 3, (s) => `${s.toFixed(2)} s`);
  atMost('embedded first start, peak RSS', first.rssMb, 300, (mb) => `${mb.toFixed(0)} MB`);

  const dense = generateDenseCorpus(LARGE + SMALL);
  console.log(`  dense corpus seed ${dense.seed} (${dense.piiPerEvent.toFixed(1)} personal values per event)`);
  const corpora = [
    { label: 'PII-dense (independent generator)', lines: dense.lines },
    { label: 'project corpus (PII-sparse)', lines: generateCorpus(LARGE + SMALL, (dense.seed ^ 0x5eed) >>> 0) },
  ];
  for (const [i, corpus] of corpora.entries()) {
    const small = writeInput(`small-${i}.ndjson`, corpus.lines.slice(0, SMALL));
    const large = writeInput(`large-${i}.ndjson`, corpus.lines.slice(SMALL));
    // Both runs on a data dir that already exists (initialised by a one-event run, not timed).
    /** @type {[string, string]} */
    const dirs = [path.join(work, `small-${i}`), path.join(work, `large-${i}`)];
    for (const dir of dirs) await runEngine(one, dir);
    const a = await runEngine(small, dirs[0]);
    const b = await runEngine(large, dirs[1]);
    stored(a, SMALL, `${corpus.label}, small run`);
    stored(b, LARGE, `${corpus.label}, large run`);
    const marginal = (LARGE - SMALL) / (b.seconds - a.seconds);
    const perCpuSecond = (LARGE - SMALL) / (b.cpuSeconds - a.cpuSeconds);
    console.log(
      `  ${corpus.label}: ${SMALL.toLocaleString('en-US')} events ${a.seconds.toFixed(2)} s, ${LARGE.toLocaleString('en-US')} events ${b.seconds.toFixed(2)} s, peak RSS ${b.rssMb.toFixed(0)} MB; marginal ${Math.round(perCpuSecond).toLocaleString('en-US')} events per CPU second`,
    );
    target(`embedded events/s with inventory on, ${corpus.label} (marginal)`, marginal, 5_000, perSecond);
    atMost(`embedded peak RSS, ${LARGE.toLocaleString('en-US')} ${corpus.label} events`, b.rssMb, 300, (mb) => `${mb.toFixed(0)} MB`);
  }
  console.log(
    `  load average at end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
