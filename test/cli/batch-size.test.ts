// The store commands that work in batches share one --batch-size rule: an integer from 1 to
// 100,000, else a usage error (exit 2) before any store is opened.
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, segmentloomAsync } from './helpers.js';

describe('--batch-size of the store commands', () => {
  beforeAll(requireBuild);

  it.each([
    [['retention', 'sweep'], '0'],
    [['retention', 'sweep'], '100001'],
    [['master-keys', 'rotate'], 'x'],
    [['master-keys', 'rotate'], '2.5'],
  ])('%j refuses --batch-size %s as a usage error', async (command, size) => {
    const result = await segmentloomAsync([...command, '--batch-size', size]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--batch-size must be an integer from 1 to 100000');
  });
});
