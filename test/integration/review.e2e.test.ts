// Reviewed classifications drive enforcement in a running engine, without a restart: a point the
// detector leaves unclassified (green) but a reviewer marks red is blocked by a
// `classifications: [red]` policy from the next batch after the poll, and a red point reviewed
// green is let through. In this thread and in a worker thread.
import { expect, it } from 'vitest';
import { getDataPoint, setClassification } from '../../src/inventory/review.js';
import { exportSubject } from '../../src/storage/access.js';
import { describeKafka } from '../helpers/kafka.js';
import { produce } from '../pipeline/kafka-helpers.js';
import { until } from './helpers.js';
import { stateSuite } from './kafka-state.js';

const POLICIES = `
policies:
  - name: block-red
    match: { classifications: [red] }
    action: block
`;

describeKafka.each([0, 1])('reviewed classifications on Kafka (workers: %i)', (workers) => {
  const suite = stateSuite('review', 'review', `inventory: { flushIntervalMs: 100 }\nreview: { pollIntervalMs: 150 }\n${POLICIES}`, workers);
  const { kafka } = suite;

  const event = (messageId: string) => ({
    type: 'track',
    event: 'Signup',
    messageId,
    userId: 'u-1',
    properties: { loyalty_code: 'LC-99812', password: 'hunter2-secret', plan: 'pro' },
  });
  const send = (messageId: string) => produce(kafka, suite.t.input, [{ key: 'k', value: JSON.stringify(event(messageId)) }]);
  const output = (messageId: string) => suite.out.json(suite.t.warehouse).find((e) => e.messageId === messageId);
  const key = (path: string) => ({ source: 'web', event: 'Signup', path });

  it('blocks a point reviewed red and passes a point reviewed green, from the next batch on', async () => {
    await send('first');
    await suite.out.waitFor(() => output('first') !== undefined, 30_000);
    expect(output('first')!.properties).toEqual({ loyalty_code: 'LC-99812', plan: 'pro' });

    // The engine's inventory flush makes the points reviewable.
    await until(async () => (await getDataPoint(suite.side.db, key('properties.loyalty_code'))) !== null, 'the inventory flush');
    expect(await getDataPoint(suite.side.db, key('properties.loyalty_code'))).toMatchObject({ category: null, classification: 'green' });
    expect(await getDataPoint(suite.side.db, key('properties.password'))).toMatchObject({ category: 'password', classification: 'red' });
    await setClassification(suite.side.db, key('properties.loyalty_code'), 'red');
    await setClassification(suite.side.db, key('properties.password'), 'green');
    await until(() => (suite.engine.durable!.lists.reviews?.size ?? 0) === 2, 'the engine to poll reviewed classifications');

    await send('second');
    await suite.out.waitFor(() => output('second') !== undefined, 30_000);
    expect(output('second')!.properties).toEqual({ password: 'hunter2-secret', plan: 'pro' });
    // Storage sees the event as the source-level policies left it, reviews included.
    const stored = await exportSubject({ db: suite.side.db, dataKeys: suite.side.dataKeys, hasher: suite.side.hasher }, { userId: 'u-1' });
    const payloads = Object.fromEntries(stored.subjects[0]!.events.map((e) => [e.messageId, (e.payload as { properties: object }).properties]));
    expect(payloads).toEqual({ first: { loyalty_code: 'LC-99812', plan: 'pro' }, second: { password: 'hunter2-secret', plan: 'pro' } });

    // The review is the reviewer's decision; the recommendation stays the detector's.
    await suite.engine.durable!.inventory!.flush();
    expect(await getDataPoint(suite.side.db, key('properties.loyalty_code'))).toMatchObject({
      classification: 'green',
      reviewedClassification: 'red',
      count: 2,
      destinations: ['warehouse'],
    });
    expect(await getDataPoint(suite.side.db, key('properties.password'))).toMatchObject({
      classification: 'red',
      reviewedClassification: 'green',
      destinations: ['warehouse'],
    });
  }, 90_000);
});
