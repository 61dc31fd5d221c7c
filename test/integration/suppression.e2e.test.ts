// Suppression requests from the store reach a running Kafka engine: once its poll has read the
// request, the subject's events are dropped (not sent, not stored); UNSUPPRESS restores them. In
// this thread and with processing in a worker thread (which gets the list as subject hashes).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineHandle } from '../../src/pipeline/service.js';
import { exportSubject } from '../../src/storage/access.js';
import type { Storage } from '../../src/storage/storage.js';
import { describeKafka } from '../helpers/kafka.js';
import { sampleEvent } from '../pipeline/helpers.js';
import { produce, testKafka, TopicReader } from '../pipeline/kafka-helpers.js';
import { testStore, until, type TestStore } from './helpers.js';
import { Engines, stateEngineYaml, stateTopics, uniqueName, type StateTopics } from './kafka-state.js';

describeKafka.each([0, 1])('suppression from the store on Kafka (workers: %i)', (workers) => {
  const kafka = testKafka();
  const engines = new Engines();
  let store: TestStore;
  let side: Storage;
  let t: StateTopics;
  let engine: EngineHandle;
  let out: TopicReader;

  beforeAll(async () => {
    store = await testStore('postgres', 'suppression');
    t = await stateTopics('suppress');
    engine = await engines.start(
      stateEngineYaml(t, uniqueName('group'), `${store.yaml}\nsuppression: { userIds: [static-user], fromStore: true, pollIntervalMs: 150 }\n`, workers),
    );
    // Another process's view of the same database: the API or the CLI filing requests.
    side = await store.open();
    out = await new TopicReader(kafka, [t.warehouse]).start();
  }, 120_000);

  afterAll(async () => {
    await engines.stopAll();
    await out?.stop();
    await side?.close();
    await store?.drop();
  });

  const send = (messageId: string, userId: string) => produce(kafka, t.input, [{ key: 'k', value: JSON.stringify(sampleEvent({ messageId, userId, anonymousId: `anon-${messageId}` })) }]);
  const delivered = () => new Set(out.json(t.warehouse).map((e) => e.messageId as string));

  it('drops a subject after a SUPPRESS request and delivers again after UNSUPPRESS', async () => {
    await send('before', 'victim');
    await send('static', 'static-user');
    await send('bystander-1', 'bystander');
    await out.waitFor(() => delivered().has('bystander-1'), 30_000);
    expect(delivered().has('before')).toBe(true);
    expect(delivered().has('static')).toBe(false); // the config list still applies

    const suppress = await side.requests.submit('SUPPRESS', { userId: 'victim' });
    expect(suppress.status).toBe('FINISHED');
    // The victim and the anonymous id their stored event carried (linked to them).
    expect(suppress.receipt!.suppressed).toBe(2);
    await until(() => engine.durable!.storage.suppressions.size === 2, 'the engine to poll the suppression list');

    await send('during', 'victim');
    await send('bystander-2', 'bystander');
    // One partition: once the later event is out, the earlier one has been processed.
    await out.waitFor(() => delivered().has('bystander-2'), 30_000);
    expect(delivered().has('during')).toBe(false);
    expect(engine.totals.totals.dropped.get('suppressed')).toBe(2);
    const exported = await exportSubject({ db: side.db, dataKeys: side.dataKeys, hasher: side.hasher }, { userId: 'victim' });
    const victim = exported.subjects.find((s) => s.subject === side.hasher.subjectHash('victim'))!;
    expect(victim.events.map((e) => e.messageId)).toEqual(['before']);
    expect(exported.subjects.every((s) => s.suppressed)).toBe(true);

    await side.requests.submit('UNSUPPRESS', { userId: 'victim' });
    await until(() => engine.durable!.storage.suppressions.size === 0, 'the engine to poll the suppression list');
    await send('after', 'victim');
    await out.waitFor(() => delivered().has('after'), 30_000);
    expect(delivered().has('during')).toBe(false);
  }, 90_000);
});
