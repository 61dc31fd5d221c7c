// Reviewed classifications drive enforcement in a running engine, without a restart: a point the
// detector leaves unclassified (green) but a reviewer marks red is blocked by a
// `classifications: [red]` policy from the next batch after the poll, and a red point reviewed
// green is let through. In this thread and in a worker thread.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getDataPoint, setClassification } from '../../src/inventory/review.js';
import type { EngineHandle } from '../../src/pipeline/service.js';
import { exportSubject } from '../../src/storage/access.js';
import type { Storage } from '../../src/storage/storage.js';
import { describeKafka } from '../helpers/kafka.js';
import { produce, testKafka, TopicReader } from '../pipeline/kafka-helpers.js';
import { testStore, until, type TestStore } from './helpers.js';
import { Engines, stateEngineYaml, stateTopics, uniqueName, type StateTopics } from './kafka-state.js';

const POLICIES = `
policies:
  - name: block-red
    match: { classifications: [red] }
    action: block
`;

describeKafka.each([0, 1])('reviewed classifications on Kafka (workers: %i)', (workers) => {
  const kafka = testKafka();
  const engines = new Engines();
  let store: TestStore;
  let side: Storage;
  let t: StateTopics;
  let engine: EngineHandle;
  let out: TopicReader;

  beforeAll(async () => {
    store = await testStore('postgres', 'review');
    t = await stateTopics('review');
    engine = await engines.start(
      stateEngineYaml(t, uniqueName('group'), `${store.yaml}\ninventory: { flushIntervalMs: 100 }\nreview: { pollIntervalMs: 150 }\n${POLICIES}`, workers),
    );
    side = await store.open();
    out = await new TopicReader(kafka, [t.warehouse]).start();
  }, 120_000);

  afterAll(async () => {
    await engines.stopAll();
    await out?.stop();
    await side?.close();
    await store?.drop();
  });

  const event = (messageId: string) => ({
    type: 'track',
    event: 'Signup',
    messageId,
    userId: 'u-1',
    properties: { loyalty_code: 'LC-99812', password: 'hunter2-secret', plan: 'pro' },
  });
  const send = (messageId: string) => produce(kafka, t.input, [{ key: 'k', value: JSON.stringify(event(messageId)) }]);
  const output = (messageId: string) => out.json(t.warehouse).find((e) => e.messageId === messageId);
  const key = (path: string) => ({ source: 'web', event: 'Signup', path });

  it('blocks a point reviewed red and passes a point reviewed green, from the next batch on', async () => {
    await send('first');
    await out.waitFor(() => output('first') !== undefined, 30_000);
    expect(output('first')!.properties).toEqual({ loyalty_code: 'LC-99812', plan: 'pro' });

    // The engine's inventory flush makes the points reviewable.
    await until(async () => (await getDataPoint(side.db, key('properties.loyalty_code'))) !== null, 'the inventory flush');
    expect(await getDataPoint(side.db, key('properties.loyalty_code'))).toMatchObject({ category: null, classification: 'green' });
    expect(await getDataPoint(side.db, key('properties.password'))).toMatchObject({ category: 'password', classification: 'red' });
    await setClassification(side.db, key('properties.loyalty_code'), 'red');
    await setClassification(side.db, key('properties.password'), 'green');
    await until(() => (engine.durable!.lists.reviews?.size ?? 0) === 2, 'the engine to poll reviewed classifications');

    await send('second');
    await out.waitFor(() => output('second') !== undefined, 30_000);
    expect(output('second')!.properties).toEqual({ password: 'hunter2-secret', plan: 'pro' });
    // Storage sees the event as the source-level policies left it, reviews included.
    const stored = await exportSubject({ db: side.db, dataKeys: side.dataKeys, hasher: side.hasher }, { userId: 'u-1' });
    const payloads = Object.fromEntries(stored.subjects[0]!.events.map((e) => [e.messageId, (e.payload as { properties: object }).properties]));
    expect(payloads).toEqual({ first: { loyalty_code: 'LC-99812', plan: 'pro' }, second: { password: 'hunter2-secret', plan: 'pro' } });

    // The review is the reviewer's decision; the recommendation stays the detector's.
    await engine.durable!.inventory!.flush();
    expect(await getDataPoint(side.db, key('properties.loyalty_code'))).toMatchObject({ classification: 'green', reviewedClassification: 'red', count: 2, destinations: ['warehouse'] });
    expect(await getDataPoint(side.db, key('properties.password'))).toMatchObject({ classification: 'red', reviewedClassification: 'green', destinations: ['warehouse'] });
  }, 90_000);
});
