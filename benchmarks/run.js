// `npm run bench`: every benchmark, each reporting ratios measured within one run (this machine is
// shared and noisy; absolute figures vary, ratios of contenders raced in alternation much less).
import { existsSync } from 'node:fs';
import { printDetect, runDetectBenchmark } from './detect.js';

const only = process.argv[2];
if (!only || only === 'detect') printDetect(await runDetectBenchmark());
for (const name of ['pipeline', 'storage']) {
  if (only && only !== name) continue;
  const file = new URL(`./${name}.js`, import.meta.url);
  if (!existsSync(file)) continue;
  const module = await import(file.href);
  if (typeof module.main === 'function') await module.main();
}
