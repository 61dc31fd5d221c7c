// The test broker's cluster id: StorageTool's argument parser takes an id starting with '-' for a
// flag, so one broker start in 64 used to fail ("argument --cluster-id/-t: expected one argument").
import { describe, expect, it } from 'vitest';
import { randomClusterId } from '../../scripts/kafka-broker.js';

describe('randomClusterId', () => {
  it('is a 22-character base64url id that never starts with "-"', () => {
    // 20k draws: an id starting with '-' (1 in 64 per draw) would appear ~300 times without the rule.
    for (let i = 0; i < 20_000; i++) {
      const id = randomClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
