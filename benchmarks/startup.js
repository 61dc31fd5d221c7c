// CLI start to first output: `segmentloom --help` and `segmentloom scan` of one event, against a
// bare Node start that writes one byte (`node -e "process.stdout.write('x')"`), raced in
// alternation in one run. The governing figure is the ratio floor/command (1.0x: as fast as a
// bare Node start); the absolute milliseconds are printed beside it (target <= 300 ms, which on
// a bare start of ~75 ms is a ratio of 0.25x).
//   node benchmarks/startup.js   (after npm run build)
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratio, target } from './targets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin/segmentloom.js');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 15);

// One event written here, not taken from the project's fixtures.
const dir = mkdtempSync(path.join(tmpdir(), 'sl-startup-'));
const eventFile = path.join(dir, 'one.ndjson');
writeFileSync(
  eventFile,
  `${JSON.stringify({ type: 'track', event: 'Checkout Step', userId: 'u-81', properties: { contact: 'j.doe@example.net', step: 2 } })}\n`,
);

const CONTENDERS = [
  { label: 'node start (floor)', args: ['-e', "process.stdout.write('x')"] },
  { label: 'segmentloom --help', args: [BIN, '--help'] },
  { label: 'segmentloom scan (1 event)', args: [BIN, 'scan', eventFile] },
];

/**
 * Milliseconds from spawn to the first byte on stdout.
 * @param {string[]} args
 * @returns {Promise<number>}
 */
function firstOutput(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    /** @type {number | null} */
    let at = null;
    child.stdout.on('data', () => {
      at ??= Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && at !== null ? resolve(at) : reject(new Error(`${args.join(' ')} exited ${code} (output: ${at !== null})`))));
  });
}

/** @param {number[]} xs @returns {number} */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return /** @type {number} */ (s[Math.floor(s.length / 2)]);
};

const times = CONTENDERS.map(() => /** @type {number[]} */ ([]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, c] of CONTENDERS.entries()) /** @type {number[]} */ (times[i]).push(await firstOutput(c.args));
}
const medians = /** @type {[number, number, number]} */ (times.map(median));
console.log(`  start to first output, median of ${ROUNDS} alternating runs:`);
CONTENDERS.forEach((c, i) =>
  console.log(
    `    ${c.label.padEnd(28)} ${Number(medians[i]).toFixed(0).padStart(5)} ms${i > 0 ? `  (${Number(medians[i]) <= 300 ? 'within' : 'over'} 300 ms)` : ''}`,
  ),
);
const floor = medians[0];
target('segmentloom --help start, floor/command', floor / medians[1], 0.25, ratio(2));
target('segmentloom scan (1 event) start, floor/command', floor / medians[2], 0.25, ratio(2));
