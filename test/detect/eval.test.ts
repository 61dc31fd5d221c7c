import { describe, expect, it } from 'vitest';
import { createDetector, loadClassifierSet } from '../../src/detect/index.js';
import { PathTrie } from '../../src/events/index.js';
import { evalSeed, runEval } from '../fixtures/eval/run.js';
import { formatTable } from '../fixtures/eval/score.js';
import { DEFAULT_PRECISION, DEFAULT_RECALL, OVERALL, PRECISION, RECALL } from '../fixtures/eval/thresholds.js';

describe('evaluation set (issuers rules and specimens, fresh seed)', async () => {
  const seed: number = evalSeed();
  const result = runEval(createDetector(await loadClassifierSet()), new PathTrie(), seed);
  // The seed and table go to the log, so a failure can be replayed with EVAL_SEED.
  console.log(`evaluation seed ${seed} (replay: EVAL_SEED=${seed})\n${formatTable(result)}`);

  it('has at least 1,500 cases', () => {
    expect(result.overall.cases).toBeGreaterThanOrEqual(1500);
  });

  it(`overall: F1 >= ${OVERALL.f1}, precision >= ${OVERALL.precision}, recall >= ${OVERALL.recall}, at most ${OVERALL.falseAlarmRate * 100}% of negatives flagged (seed ${seed})`, () => {
    expect(result.overall.f1).toBeGreaterThanOrEqual(OVERALL.f1);
    expect(result.overall.precision).toBeGreaterThanOrEqual(OVERALL.precision);
    expect(result.overall.recall).toBeGreaterThanOrEqual(OVERALL.recall);
    expect(result.overall.falseAlarmRate).toBeLessThanOrEqual(OVERALL.falseAlarmRate);
  });

  it(`per label: recall and precision at their thresholds (seed ${seed})`, () => {
    const below: string[] = [];
    for (const row of result.rows) {
      if (row.label === 'everyday') continue;
      const recall = (RECALL as Record<string, number>)[row.label] ?? DEFAULT_RECALL;
      const precision = (PRECISION as Record<string, number>)[row.label] ?? DEFAULT_PRECISION;
      if (row.recall < recall) below.push(`${row.label} recall ${row.recall.toFixed(3)} < ${recall}`);
      if (row.precision < precision) below.push(`${row.label} precision ${row.precision.toFixed(3)} < ${precision}`);
    }
    expect(below).toEqual([]);
  });

  it('everyday values (order ids, epochs, prices, SKUs, dates) are not flagged', () => {
    const everyday = result.rows.find((row) => row.label === 'everyday')!;
    expect(everyday.fp).toBeLessThanOrEqual(6);
  });
});
