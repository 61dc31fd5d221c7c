// Cost of fail-closed enforcement: detect + enforce (one walk) with and without point memory, and
// with verify mode (sampled 1%, and every output) re-scanning what each destination receives.
// Contenders race in alternation over the same events in one run; ratios are against the walk
// without point memory.   node benchmarks/verify.js  (after npm run build)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngineConfig } from '../dist/config/load.js';
import { PathTrie } from '../dist/events/index.js';
import { PointMemory } from '../dist/pipeline/point-memory.js';
import { emptyReport } from '../dist/pipeline/report.js';
import { buildControls } from '../dist/pipeline/build-controls.js';
import { EventWalker } from '../dist/pipeline/walker.js';
import { generateCorpus } from './corpus.js';
import { race } from './detect.js';

/** @param {string} verify */
const policy = (verify) => `
source: bench
hashing: { current: 1, keys: [{ version: 1, secret: "benchmark-secret-0123456789" }] }
policies:
  - { name: block-red, match: { classifications: [red] }, action: block }
  - { name: hash-yellow, destinations: [analytics], match: { classifications: [yellow] }, action: hash }
destinations:
  - { name: warehouse, topic: wh${verify} }
  - { name: analytics, topic: an${verify} }
  - { name: mailer, topic: mail${verify}, allow: { categories: [email], classifications: [green] } }
`;

/** @param {string} verify */
async function controlsFor(verify) {
  const dir = mkdtempSync(join(tmpdir(), 'sl-bench-verify-'));
  writeFileSync(join(dir, 'engine.yaml'), policy(verify));
  return (await buildControls(await loadEngineConfig(join(dir, 'engine.yaml'), {}))).controls;
}

/** Point memory switched off: enforcement judges each value on its own (the old behaviour). */
class NoMemory extends PointMemory {
  /** @override @type {PointMemory['recall']} */
  recall(_node, _key, evidence) {
    return evidence;
  }
}

const events = generateCorpus(Number(process.env.EVENTS ?? 20_000));
const plain = await controlsFor('');
const sampled = await controlsFor(', verify: { mode: sample, sampleRate: 0.01 }');
const full = await controlsFor(', verify: { mode: full }');

/**
 * @param {Awaited<ReturnType<typeof controlsFor>>} controls
 * @param {PointMemory} memory
 */
function contender(controls, memory) {
  const walker = new EventWalker(new PathTrie(), null, null, memory);
  const report = emptyReport();
  let outputs = 0;
  /** @param {string[]} lines */
  const run = (lines) => {
    for (const line of lines) {
      const result = walker.walk(controls, 'bench', JSON.parse(line), report);
      if (result.ok) outputs += result.outcome.outputs.length;
    }
  };
  run(events.slice(0, 2000)); // warm: JIT and per-path caches are warm in a running consumer
  return { run, report, outputs: () => outputs };
}

/** @type {[string, ReturnType<typeof contender>][]} */
const contenders = [
  ['detect + enforce, no point memory', contender(plain, new NoMemory())],
  ['detect + enforce + point memory', contender(plain, new PointMemory())],
  ['  + verify sampled 1%', contender(sampled, new PointMemory())],
  ['  + verify every output', contender(full, new PointMemory())],
];
const results = race(
  contenders.map(([label, c]) => /** @type {const} */ ([label, c.run])),
  events,
  Number(process.env.ROUNDS ?? 9),
);
console.log(`\n## Fail-closed enforcement cost (${events.length} events, 3 destinations, one run)`);
const base = results[0]?.perSecond ?? Number.NaN;
for (const r of results)
  console.log(`  ${r.label.padEnd(36)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(9)} events/s  ratio ${(r.perSecond / base).toFixed(2)}x`);
const fullReport = /** @type {[string, ReturnType<typeof contender>]} */ (contenders[3])[1].report;
const leaks = [...fullReport.leaks.values()].reduce((a, b) => a + b, 0);
console.log(
  `  verify (every output) checked ${[...fullReport.verified.values()].reduce((a, b) => a + b, 0).toLocaleString('en-US')} outputs, found ${leaks} leaking value(s)`,
);
