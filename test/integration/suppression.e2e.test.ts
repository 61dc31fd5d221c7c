// Suppression requests from the store reach a running Kafka engine: once its poll has read the
// request, the subject's events are dropped (not sent, not stored); UNSUPPRESS restores them. In
// this thread and with processing in a worker thread (which gets the list as subject hashes).
import { expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { describeKafka } from '../helpers/kafka.js';
import { sampleEvent } from '../pipeline/helpers.js';
import { produce } from '../pipeline/kafka-helpers.js';
import { until } from './helpers.js';
import { stateSuite } from './kafka-state.js';

describeKafka.each([0, 1])('suppression from the store on Kafka (workers: %i)', (workers) => {
  const suite = stateSuite('suppression', 'suppress', 'suppression: { userIds: [static-user], fromStore: true, pollIntervalMs: 150 }\n', workers);
  const { kafka } = suite;

  const send = (messageId: string, userId: string) =>
    produce(kafka, suite.t.input, [{ key: 'k', value: JSON.stringify(sampleEvent({ messageId, userId, anonymousId: `anon-${messageId}` })) }]);
  const delivered = () => new Set(suite.out.json(suite.t.warehouse).map((e) => e.messageId as string));

  it('drops a subject after a SUPPRESS request and delivers again after UNSUPPRESS', async () => {
    await send('before', 'victim');
    await send('static', 'static-user');
    await send('bystander-1', 'bystander');
    await suite.out.waitFor(() => delivered().has('bystander-1'), 30_000);
    expect(delivered().has('before')).toBe(true);
    expect(delivered().has('static')).toBe(false); // the config list still applies

    const suppress = await suite.side.requests.submit('SUPPRESS', { userId: 'victim' });
    expect(suppress.status).toBe('FINISHED');
    // The victim and the anonymous id their stored event carried (linked to them).
    expect(suppress.receipt!.suppressed).toBe(2);
    await until(() => suite.engine.durable!.storage.suppressions.size === 2, 'the engine to poll the suppression list');

    await send('during', 'victim');
    await send('bystander-2', 'bystander');
    // One partition: once the later event is out, the earlier one has been processed.
    await suite.out.waitFor(() => delivered().has('bystander-2'), 30_000);
    expect(delivered().has('during')).toBe(false);
    expect(suite.engine.totals.totals.dropped.get('suppressed')).toBe(2);
    const exported = await exportSubject({ db: suite.side.db, dataKeys: suite.side.dataKeys, hasher: suite.side.hasher }, { userId: 'victim' });
    const victim = exported.subjects.find((s) => s.subject === suite.side.hasher.subjectHash('victim'))!;
    expect(victim.events.map((e) => e.messageId)).toEqual(['before']);
    expect(exported.subjects.every((s) => s.suppressed)).toBe(true);

    await suite.side.requests.submit('UNSUPPRESS', { userId: 'victim' });
    await until(() => suite.engine.durable!.storage.suppressions.size === 0, 'the engine to poll the suppression list');
    await send('after', 'victim');
    await suite.out.waitFor(() => delivered().has('after'), 30_000);
    expect(delivered().has('during')).toBe(false);
  }, 90_000);
});
