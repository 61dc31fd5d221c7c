// `segmentloom scan` as a whole process on PII-dense events (benchmarks/dense-corpus.js, fresh
// seed), against its floor in the same process model: a node process that reads the same NDJSON
// file line by line (readline), parses and stringifies each line and writes it out. Rounds
// alternate floor/scan (the machine is shared); best round of each. Target: scan >= 0.5x floor.
//   node benchmarks/scan.js   (after npm run build; BENCH_SCAN_EVENTS=N to change the 120k)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshSeed, generateDenseCorpus } from './dense-corpus.js';
import { ratio, target } from './targets.js';

const FLOOR = `
const { createInterface } = require('node:readline');
const { createReadStream } = require('node:fs');
const out = [];
(async () => {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    out.push(JSON.stringify(JSON.parse(line)));
    if (out.length >= 1000) { process.stdout.write(out.join('\\n') + '\\n'); out.length = 0; }
    n++;
  }
  process.stdout.write(out.join('\\n') + '\\n');
  process.stderr.write('floor ' + n + ' events\\n');
})();
`;

/** @param {string[]} args */
function timed(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function runScanBenchmark({
  count = Number(process.env.BENCH_SCAN_EVENTS) || 120_000,
  rounds = 2,
  seed = Number(process.env.BENCH_SEED) || freshSeed(),
} = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'segmentloom-bench-scan-'));
  try {
    const corpus = generateDenseCorpus(count, seed);
    const file = path.join(dir, 'events.ndjson');
    writeFileSync(file, `${corpus.lines.join('\n')}\n`);
    const bin = fileURLToPath(new URL('../bin/segmentloom.js', import.meta.url));
    let floor = Infinity;
    let scan = Infinity;
    for (let round = 0; round < rounds; round++) {
      floor = Math.min(floor, timed(['-e', FLOOR, file]));
      scan = Math.min(scan, timed([bin, 'scan', file, '--format', 'csv']));
    }
    console.log(
      `\n## segmentloom scan, whole process: ${count.toLocaleString('en-US')} PII-dense events (faker seed ${seed}, ${corpus.piiPerEvent.toFixed(1)} PII values/event)`,
    );
    console.log(
      `  floor (read + parse + stringify + write) ${Math.round(count / floor)
        .toLocaleString('en-US')
        .padStart(9)} events/s (${floor.toFixed(1)} s)`,
    );
    console.log(
      `  segmentloom scan --format csv           ${Math.round(count / scan)
        .toLocaleString('en-US')
        .padStart(9)} events/s (${scan.toFixed(1)} s, start-up included)`,
    );
    target('ratio scan / floor', floor / scan, 0.5, ratio(2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runScanBenchmark();
