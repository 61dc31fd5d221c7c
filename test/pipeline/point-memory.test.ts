// How enforcement decides a value: the point's memory and red key evidence can only make a value
// riskier than the detector judged it alone; a review keeps the last word.
import { describe, expect, it } from 'vitest';
import { PathTrie, type SegmentEvent } from '../../src/events/index.js';
import { PointMemory } from '../../src/pipeline/point-memory.js';
import type { PolicyOutcome } from '../../src/pipeline/controls.js';
import { emptyReport } from '../../src/pipeline/report.js';
import { ReviewedClassifications } from '../../src/pipeline/reviewed.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { BatchTap } from '../../src/pipeline/tap.js';
import { EventWalker } from '../../src/pipeline/walker.js';
import { FAIL_CLOSED_POLICY, writeConfig } from './helpers.js';

async function setup(reviews: ReviewedClassifications | null = null) {
  const { config } = await writeConfig(FAIL_CLOSED_POLICY);
  const controls = (await buildControls(config)).controls;
  const memory = new PointMemory();
  const tap = reviews === null ? null : new BatchTap({ store: false, inventory: false, hasher: null, reviews: () => reviews });
  const walker = new EventWalker(new PathTrie(), null, tap, memory);
  const walk = (properties: Record<string, unknown>, event = 'Payout'): Record<string, Record<string, unknown>> => {
    if (tap !== null) tap.use(tap.startBatch());
    const result = walker.walk(controls, 'web', { type: 'track', event, userId: 'u1', properties } as SegmentEvent, emptyReport());
    if (!result.ok) throw new Error(result.failure.reason);
    return outputs(result.outcome);
  };
  return { controls, memory, walk };
}

function outputs(outcome: PolicyOutcome): Record<string, Record<string, unknown>> {
  return Object.fromEntries(outcome.outputs.map((o) => [o.destination, (JSON.parse(String(o.json)) as { properties: Record<string, unknown> }).properties]));
}

describe('point memory', () => {
  it('controls every later value of a classified point as its classification, whatever the detector says of the value', async () => {
    const { controls, memory, walk } = await setup();
    const trie = new PathTrie();
    // The value alone is nothing the detector recognises (a layout it does not know, say).
    expect(controls.detector.detect(trie.resolve('properties.payout_target'), 'QX77 BANK 0000 1234 99')).toBeNull();

    // Before the point is known, an unrecognised value passes...
    expect(walk({ payout_target: 'QX77 BANK 0000 1234 99' }, 'Fresh').warehouse).toHaveProperty('payout_target');
    // ...once an IBAN has been seen there, the point is an IBAN point.
    expect(walk({ payout_target: 'DE89 3704 0044 0532 0130 00' }).warehouse).not.toHaveProperty('payout_target');
    const later = walk({ payout_target: 'QX77 BANK 0000 1234 99', amount: 12 });
    for (const destination of ['warehouse', 'analytics', 'mailer']) expect(later[destination]).not.toHaveProperty('payout_target');
    expect(later.warehouse).toMatchObject({ amount: 12 });
    // Per point: the same path under another event name has its own history.
    expect(walk({ payout_target: 'QX77 BANK 0000 1234 99' }, 'Other').warehouse).toHaveProperty('payout_target');
    expect(memory.learned).toBeGreaterThanOrEqual(1);
  });

  it('lets riskier evidence about one value win over a less risky point, and keeps the point riskier from then on', async () => {
    const { walk } = await setup();
    expect(walk({ contact: 'ada@example.com' }).analytics!.contact).toMatch(/^hmac:v1:/);
    // A card number at an email point: the value's own evidence is riskier, so it is blocked...
    expect(walk({ contact: '4111 1111 1111 1111' }).warehouse).not.toHaveProperty('contact');
    // ...and the point is remembered as red: the next email there is blocked too (as the inventory drifts to red).
    expect(walk({ contact: 'bob@example.com' }).warehouse).not.toHaveProperty('contact');
  });

  it('is seeded from the shared inventory before the first value is seen', async () => {
    const { memory, walk } = await setup();
    memory.seed([
      { source: 'web', event: 'Payout', path: 'properties.dest', category: 'iban', dataCategory: 'user.financial.bank_account', classification: 'red' },
    ]);
    const first = walk({ dest: 'SA03 8000 0000 6080 1016 7519', note: 'thanks' });
    expect(first.warehouse).not.toHaveProperty('dest');
    expect(first.warehouse).toMatchObject({ note: 'thanks' });
    // A seed for a classifier this engine does not have still governs (by its classification).
    memory.seed([
      { source: 'web', event: 'Payout', path: 'properties.legacy', category: 'retired_classifier', dataCategory: 'user', classification: 'yellow' },
    ]);
    const legacy = walk({ legacy: 'whatever' });
    expect(legacy.analytics!.legacy).toMatch(/^hmac:v1:/);
    expect(legacy.mailer).not.toHaveProperty('legacy');
  });

  it('releases the values of a point a reviewer marked green (the review has the last word)', async () => {
    const reviews = new ReviewedClassifications([{ source: 'web', event: 'Payout', path: 'properties.dest', category: 'iban', classification: 'green' }]);
    const { memory, walk } = await setup(reviews);
    memory.seed([{ source: 'web', event: 'Payout', path: 'properties.dest', category: 'iban', classification: 'red' }]);
    const released = walk({ dest: 'internal test account', other: 'DE89 3704 0044 0532 0130 00' });
    expect(released.warehouse).toMatchObject({ dest: 'internal test account' });
    expect(released.mailer).toMatchObject({ dest: 'internal test account' });
    // The review covers the point it names only.
    expect(released.warehouse).not.toHaveProperty('other');
  });
});

describe('key evidence', () => {
  it('controls a value under a key naming a red category on its first sighting, even when the value fails the validator', async () => {
    const { controls, walk } = await setup();
    const trie = new PathTrie();
    // The detector doubts these values (a card number with a typo that fails Luhn)...
    expect(controls.detector.detect(trie.resolve('properties.card_number'), '4824 7363 4459 7')?.classifier.id).not.toBe('credit_card_number');
    const out = walk(
      { card_number: '4824 7363 4459 7', ssn: '000-12-3456', iban: 'QX77 BANK 0000 1234 99', passport_number: 12345678, plan: 'pro' },
      'Checkout',
    );
    // ...enforcement does not release them.
    for (const destination of ['warehouse', 'analytics', 'mailer']) {
      expect(out[destination]).not.toHaveProperty('card_number');
      expect(out[destination]).not.toHaveProperty('ssn');
      expect(out[destination]).not.toHaveProperty('iban');
      expect(out[destination]).not.toHaveProperty('passport_number');
    }
    expect(out.warehouse).toMatchObject({ plan: 'pro' });
  });

  it('does not take a boolean under a red or an email key for the data the key names', async () => {
    const { walk } = await setup();
    const out = walk({ ssn_verified: true, has_passport: false, email_verified: true }, 'Checkout');
    expect(out.warehouse).toMatchObject({ ssn_verified: true, has_passport: false, email_verified: true });
    expect(out.analytics).toMatchObject({ email_verified: true });
  });
});

describe('point memory bounds', () => {
  it('stops learning new points past its bound (known points still govern)', async () => {
    const { config } = await writeConfig(FAIL_CLOSED_POLICY);
    const controls = (await buildControls(config)).controls;
    const memory = new PointMemory(1);
    const walker = new EventWalker(new PathTrie(), null, null, memory);
    const walk = (properties: Record<string, unknown>) => {
      const result = walker.walk(controls, 'web', { type: 'track', event: 'Payout', properties } as SegmentEvent, emptyReport());
      return result.ok ? JSON.parse(String(result.outcome.outputs[0]!.json)).properties : null;
    };
    walk({ a: 'DE89 3704 0044 0532 0130 00', b: 'DE89 3704 0044 0532 0130 00' });
    expect(memory.learned).toBe(1);
    expect(walk({ a: 'QX77 BANK 0000 1234 99', b: 'QX77 BANK 0000 1234 99' })).toEqual({ b: 'QX77 BANK 0000 1234 99' });
  });
});
