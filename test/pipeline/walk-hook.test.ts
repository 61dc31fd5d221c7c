// The walk and its hook: detections of an event rejected half-way are not counted, reviewed
// classifications change what the policy engine sees (cached per path, one object per decision),
// and the tap records which destinations actually received each data point.
import { describe, expect, it } from 'vitest';
import type { ClassifierInfo, Detection } from '../../src/detect/types.js';
import { PathTrie, type SegmentEvent } from '../../src/events/index.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { derivedMessageId } from '../../src/state/durable.js';
import { LocalProcessor } from '../../src/pipeline/processor.js';
import { emptyReport } from '../../src/pipeline/report.js';
import { eventKey, ReviewedClassifications } from '../../src/pipeline/reviewed.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { BatchTap } from '../../src/pipeline/tap.js';
import { DataPointTally, EventWalker } from '../../src/pipeline/walker.js';
import { message, policyYaml, sampleEvent, writeConfig } from './helpers.js';

const TOPICS = { warehouse: 'wh', analytics: 'an', ads: 'ads' };

async function controlsFor(extra = '') {
  const { config } = await writeConfig(`${policyYaml(TOPICS)}\nlimits: { maxDepth: 6 }\n${extra}`);
  return (await buildControls(config)).controls;
}

const deepEvent = (): SegmentEvent =>
  ({ type: 'track', event: 'Deep', properties: { email: 'ada@example.com', nested: JSON.parse(`${'{"a":'.repeat(10)}1${'}'.repeat(10)}`) } }) as SegmentEvent;

describe('EventWalker', () => {
  it('counts no detection of an event rejected half-way through the walk', async () => {
    const controls = await controlsFor();
    const tally = new DataPointTally();
    const walker = new EventWalker(new PathTrie(), tally);
    const report = emptyReport();
    const rejected = walker.walk(controls, 'web', deepEvent(), report);
    expect(rejected).toMatchObject({ ok: false, failure: { code: 'too_deep' } });
    expect(report.detections.size).toBe(0);
    expect(report.classifiers.size).toBe(0);
    expect(tally.entries()).toHaveLength(0);

    expect(walker.walk(controls, 'web', sampleEvent() as SegmentEvent, report).ok).toBe(true);
    expect(report.classifiers.get('email')).toBe(1);
    expect(tally.entries().map((p) => p.event)).not.toContain('Deep');
    expect(tally.entries().length).toBeGreaterThan(0);
  });
});

describe('ReviewedClassifications', () => {
  const email: ClassifierInfo = { id: 'email', name: 'Email', category: 'user.contact.email', classification: 'yellow' };
  const password: ClassifierInfo = { id: 'password', name: 'Password', category: 'user.authorization.credentials', classification: 'red' };
  const detection = (classifier: ClassifierInfo): Detection => ({ classifier, matchedOn: 'key+value', confidence: 0.9, matcher: 'test' });
  const trie = new PathTrie();
  const node = (path: string) => path.split('.').reduce((n, key) => n.child(key), trie.root);
  const reviews = new ReviewedClassifications([
    { source: 'web', event: 'Signup', path: 'properties.code', category: null, classification: 'red' },
    { source: 'web', event: 'Signup', path: 'properties.secret', category: 'password', classification: 'green' },
    { source: 'web', event: 'Signup', path: 'properties.contact', category: 'email', classification: 'red' },
  ]);
  const key = eventKey('web', 'Signup');

  it('replaces the classification the policy engine sees, for the reviewed point only', () => {
    const code = reviews.enforce(node('properties.code'), key, null, [email, password]);
    expect(code?.classifier).toMatchObject({ classification: 'red' });
    // Cached: the same decision object for every leaf of the point.
    expect(reviews.enforce(node('properties.code'), key, null, [email, password])).toBe(code);
    expect(reviews.enforce(node('properties.code'), eventKey('web', 'Other'), null, [])).toBeNull();
    expect(reviews.enforce(node('properties.code'), eventKey('ios', 'Signup'), null, [])).toBeNull();

    const secret = reviews.enforce(node('properties.secret'), key, detection(password), []);
    expect(secret?.classifier).toMatchObject({ id: 'password', classification: 'green' });
    expect(reviews.enforce(node('properties.secret'), key, detection(password), [])).toBe(secret);
    // A less risky review applies to the category reviewed, not to new kinds of data there.
    const card: ClassifierInfo = { ...password, id: 'credit_card_number' };
    const other = detection(card);
    expect(reviews.enforce(node('properties.secret'), key, other, [])).toBe(other);
    // A riskier review applies to whatever the detector found.
    expect(reviews.enforce(node('properties.contact'), key, detection(email), [])?.classifier).toMatchObject({ id: 'email', classification: 'red' });
    const untouched = detection(email);
    expect(reviews.enforce(node('properties.other'), key, untouched, [])).toBe(untouched);
  });
});

describe('BatchTap', () => {
  it('folds accepted events into observations with the destinations that received each point', async () => {
    const controls = await controlsFor();
    const tap = new BatchTap({ store: true, inventory: true, hasher: { subjectHash: (id) => `h(${id})` }, reviews: () => null });
    const processor = new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(), null, { tap });
    const noAds = sampleEvent({ messageId: 'no-ads', userId: 'u-2', context: { consent: { categoryPreferences: { Advertising: false, Analytics: true } } } });
    const result = await processor.process(controls, [
      message(sampleEvent({ messageId: 'a' })),
      message(noAds),
      message(deepEvent()),
      message(sampleEvent({ messageId: 'dropped', properties: { internal_test: true } })),
    ]);
    const out = result!.tap!;
    expect(out.indexes).toEqual([0, 1]);
    expect(out.events.map((e) => e.messageId)).toEqual(['a', 'no-ads']);
    // What is stored is the event's JSON text, serialized where it was walked, after the
    // source-level blocks: the store seals that text and reads only the head in clear.
    const stored = JSON.parse(out.json[0] as string) as { messageId: string; properties: Record<string, unknown> };
    expect(stored.messageId).toBe('a');
    expect(stored.properties).not.toHaveProperty('password');
    expect(stored.properties).toHaveProperty('email');
    expect(out.events[0]).not.toHaveProperty('properties');
    // Serialized once: a destination that sees the event unchanged got this very string.
    const sent = result!.outcomes[0] as ReadonlyArray<{ json: string | Buffer }>;
    expect(sent.some((output) => output.json === out.json[0])).toBe(true);

    const point = (path: string) => out.observations.find((o) => o.path === path && o.event === 'Order Completed');
    expect(point('properties.email')).toMatchObject({
      category: 'email',
      count: 2,
      destinations: ['ads', 'warehouse'],
      example: 'xxx@xxxxxxx.xxx',
      exampleSubject: 'h(user-1)',
    });
    expect(point('properties.password')).toMatchObject({ category: 'password', destinations: [] });
    expect(point('properties.total')).toMatchObject({ category: null, destinations: ['ads', 'analytics', 'warehouse'], example: '99' });
    expect(point('properties.internal_test')).toMatchObject({ count: 1, destinations: [] });
    expect(out.observations.some((o) => o.event === 'Deep')).toBe(false);
  });
});

describe('BatchTap with batches processed concurrently', () => {
  it('keeps each batch to itself when one pauses at a checkpoint while another runs', async () => {
    const controls = await controlsFor();
    const tap = new BatchTap({ store: true, inventory: true, hasher: null, reviews: () => null });
    // Checkpoints by time: with 0 ms, one at every CHECK_EVERY messages.
    const processor = new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(), null, { tap, checkpointMs: 0 });
    const batchA = Array.from({ length: 600 }, (_, i) => message(sampleEvent({ messageId: `a-${i}`, properties: { a_field: i } })));
    const batchB = Array.from({ length: 10 }, (_, i) => message(sampleEvent({ messageId: `b-${i}`, properties: { b_field: i } })));
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let reachedCheckpoint!: () => void;
    const atCheckpoint = new Promise<void>((resolve) => (reachedCheckpoint = resolve));
    const a = processor.process(controls, batchA, async () => {
      reachedCheckpoint();
      await paused;
      return true;
    });
    await atCheckpoint;
    const b = (await processor.process(controls, batchB))!.tap!;
    release();
    const resultA = (await a)!.tap!;
    expect(b.events.map((e) => e.messageId)).toEqual(batchB.map((_, i) => `b-${i}`));
    expect(resultA.events).toHaveLength(600);
    expect(resultA.events.every((e) => String(e.messageId).startsWith('a-'))).toBe(true);
    expect(resultA.observations.find((o) => o.path === 'properties.a_field')!.count).toBe(600);
    expect(resultA.observations.some((o) => o.path === 'properties.b_field')).toBe(false);
    expect(b.observations.find((o) => o.path === 'properties.b_field')!.count).toBe(10);
  });
});

describe('derivedMessageId', () => {
  it('is the same for the same message coordinates and differs otherwise', () => {
    const at = { topic: 'in', partition: 1, offset: '42', timestamp: '1700000000000' };
    expect(derivedMessageId(at)).toBe(derivedMessageId({ ...at }));
    expect(derivedMessageId(at)).toMatch(/^sl-derived-[0-9a-f]{32}$/);
    expect(derivedMessageId({ ...at, offset: '43' })).not.toBe(derivedMessageId(at));
    expect(derivedMessageId({ ...at, partition: 2 })).not.toBe(derivedMessageId(at));
  });
});
