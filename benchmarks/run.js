// `npm run bench`: every benchmark, each reporting figures measured within one run (this machine is
// shared and noisy; contenders raced in alternation give steadier ratios than absolute numbers).
//   node benchmarks/run.js [detect|matrix|scan|startup|pipeline|consumers|production|storage|embedded|ingest|portal]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCostMatrix } from './cost-matrix.js';
import { printDetect, runDetectBenchmark } from './detect.js';
import { runScanBenchmark } from './scan.js';
import { missedTargets } from './targets.js';

const only = process.argv[2];
/** @type {Awaited<ReturnType<typeof runDetectBenchmark>> | null} */
let detect = null;
/** Benchmarks run in child processes whose run failed or missed a target. @type {string[]} */
const failed = [];
if (!only || only === 'detect') {
  detect = await runDetectBenchmark();
  printDetect(detect);
}
if (!only || only === 'matrix') await runCostMatrix();
if (!only || only === 'scan') runScanBenchmark();
// The end-to-end benchmarks start their own broker/database: separate processes keep them apart.
const TITLES = {
  startup: 'CLI start to first output',
  pipeline: 'End-to-end pipeline through a real Kafka broker',
  consumers: 'The two input clients (kafkajs, @platformatic/kafka) behind the source seam, through a real Kafka broker',
  production: 'Production shape through a real Kafka broker (PostgreSQL, inventory, alerts) against a pass-through floor',
  storage: 'Encrypted event store',
  embedded: 'Embedded default (npm start): first start, memory, events/s with inventory on',
  ingest: "HTTP ingest (Segment's Tracking API) through a real Kafka broker",
  portal: 'Privacy Portal: the inbox of 50,000 data points',
};
for (const name of /** @type {(keyof typeof TITLES)[]} */ (['startup', 'pipeline', 'consumers', 'production', 'storage', 'embedded', 'ingest', 'portal'])) {
  if (only && only !== name) continue;
  console.log(`\n## ${TITLES[name]}`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url))], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    failed.push(name);
    process.exitCode = 1;
  }
}
if (detect && (!only || only === 'pipeline')) {
  const hot = detect.corpora[0]?.results.find((r) => r.label === 'segmentloom hot path');
  if (hot) console.log(`\n(detection-only hot path in this run: ${Math.round(hot.perSecond).toLocaleString('en-US')} events/s)`);
}
const missed = [...missedTargets(), ...failed.map((name) => `${name} (a target missed or the run failed)`)];
if (missed.length > 0) console.log(`\nBELOW TARGET: ${missed.join('; ')}`);
else console.log('\nEvery benchmark target met.');
