// Prints the evaluation set's per-label table (test/fixtures/eval/) for the built detector, with a
// fresh seed each run (EVAL_SEED=n replays one). Run after `npm run build`.
import { createDetector, loadClassifierSet } from '../dist/detect/index.js';
import { PathTrie } from '../dist/events/index.js';
import { evalSeed, runEval } from '../test/fixtures/eval/run.js';
import { formatTable } from '../test/fixtures/eval/score.js';

export async function runEvalBenchmark({ seed = evalSeed() } = {}) {
  const result = runEval(createDetector(await loadClassifierSet()), new PathTrie(), seed);
  console.log(`\n## Detection evaluation set (seed ${seed}; replay with EVAL_SEED=${seed})`);
  console.log(formatTable(result));
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await runEvalBenchmark();
