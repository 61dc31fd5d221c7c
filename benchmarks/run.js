// `npm run bench`: every benchmark, each reporting figures measured within one run (this machine is
// shared and noisy; contenders raced in alternation give steadier ratios than absolute numbers).
//   node benchmarks/run.js [detect|pipeline|storage]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printDetect, runDetectBenchmark } from './detect.js';

const only = process.argv[2];
let detect = null;
if (!only || only === 'detect') {
  detect = await runDetectBenchmark();
  printDetect(detect);
}
// The end-to-end benchmarks start their own broker/database: separate processes keep them apart.
for (const name of ['pipeline', 'storage']) {
  if (only && only !== name) continue;
  console.log(`\n## ${name === 'pipeline' ? 'End-to-end pipeline through a real Kafka broker' : 'Encrypted event store'}`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url))], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exitCode = 1;
}
if (detect && (!only || only === 'pipeline')) {
  const hot = detect.results.find((r) => r.label === 'segmentloom hot path');
  console.log(`\n(detection-only hot path in this run: ${Math.round(hot.perSecond).toLocaleString('en-US')} events/s)`);
}
