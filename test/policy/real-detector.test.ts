import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector, loadClassifierSet, type Detector } from '../../src/detect/index.js';
import { flatten, PathTrie, type SegmentEvent } from '../../src/events/index.js';
import { compilePolicies, type PolicyEngine } from '../../src/policy/index.js';
import { HASHING } from './helpers.js';

/** End to end with the built-in classifiers from `classifiers/`, as the pipeline wires it. */
describe('with the real detector and built-in classifiers', () => {
  let detector: Detector;
  let engine: PolicyEngine;

  beforeAll(async () => {
    const set = await loadClassifierSet();
    detector = createDetector(set);
    engine = compilePolicies(
      {
        hashing: HASHING,
        policies: [
          { name: 'block-credentials', match: { classifications: ['red'] }, action: 'block' },
          { name: 'hash-emails-for-analytics', destinations: ['analytics'], match: { categories: ['email'] }, action: 'hash' },
        ],
        destinations: [
          { name: 'email_provider', topic: 'out.email', allow: { categories: ['email', 'person_name'], classifications: ['green'] } },
          { name: 'analytics', topic: 'out.analytics', allow: { classifications: ['green', 'yellow'] } },
        ],
      },
      // The runtime validates category ids against the loaded classifiers the same way.
      { categories: set.classifiers.map((c) => c.id) },
    );
  });

  it('blocks, hashes and routes what the detector finds', () => {
    const event: SegmentEvent = {
      type: 'track',
      event: 'Order Completed',
      context: { ip: '203.0.113.7' },
      properties: { email: 'jane.roe@example.com', credit_card_number: '4111 1111 1111 1111', currency: 'USD' },
    };
    const run = engine.begin('web', event);
    flatten(new PathTrie().root, event, (node, value, container, slot) => run.observe(node, value, container, slot, detector.detect(node, value)));
    const { outputs } = run.finish();
    const out = Object.fromEntries(outputs.map((o) => [o.destination, JSON.parse(o.json)]));

    for (const output of outputs) expect(output.json).not.toContain('4111');
    expect(event.properties).not.toHaveProperty('credit_card_number');
    expect(out.analytics.properties.email).toBe(engine.pseudonymize('jane.roe@example.com'));
    expect(out.analytics.context.ip).toBe('203.0.113.7');
    expect(out.email_provider.properties.email).toBe('jane.roe@example.com');
    expect(out.email_provider.context).toEqual({});
    expect(out.email_provider.properties.currency).toBe('USD');
  });
});
