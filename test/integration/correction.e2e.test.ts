// A correction (CORRECT request) reaches destinations through the engine: the API or CLI corrects
// the store, and the Kafka engine's relay hands a corrective identify to its input topic, where it
// goes through the same controls as any event (here: emails blocked for the warehouse).
import { expect, it } from 'vitest';
import { exportSubject } from '../../src/storage/access.js';
import { describeKafka } from '../helpers/kafka.js';
import { produce } from '../pipeline/kafka-helpers.js';
import { until } from './helpers.js';
import { stateSuite } from './kafka-state.js';

// Indented: continues the suite's `storage:` mapping.
const EXTRA = `  correctionRelayMs: 150
policies:
  - name: no-email-in-warehouse
    match: { categories: [email] }
    action: block
`;

describeKafka('corrections on Kafka', () => {
  const suite = stateSuite('correction', 'correct', EXTRA);
  const delivered = () => suite.out.json(suite.t.warehouse);

  it('corrects the stored profile and forwards an identify, controlled, to the destination', async () => {
    await produce(suite.kafka, suite.t.input, [
      {
        key: 'c-1',
        value: JSON.stringify({
          type: 'identify',
          messageId: 'first-identify',
          userId: 'c-1',
          traits: { email: 'typo@exmaple.com', plan: 'free' },
          timestamp: new Date(Date.now() - 60_000).toISOString(),
        }),
      },
    ]);
    await suite.out.waitFor(() => delivered().some((e) => e.messageId === 'first-identify'), 30_000);
    await until(async () => (await exportSubject(suite.side, { userId: 'c-1' })).subjects[0]?.events.length === 1, 'the identify to be stored');

    const request = await suite.side.requests.submit('CORRECT', { userId: 'c-1' }, { correction: { set: { email: 'right@example.com', plan: 'enterprise' } } });
    expect(request.status).toBe('FINISHED');
    expect(request.receipt!.corrected).toMatchObject({ profiles: 1, events: 1, fields: ['email', 'plan'] });

    await suite.out.waitFor(() => delivered().some((e) => e.messageId === `correction-${request.id}`), 30_000);
    const forwarded = delivered().find((e) => e.messageId === `correction-${request.id}`)!;
    expect(forwarded).toMatchObject({ type: 'identify', userId: 'c-1', traits: { plan: 'enterprise' } });
    // The control applied: the corrected email did not reach the warehouse.
    expect(JSON.stringify(forwarded)).not.toContain('right@example.com');
    await until(async () => (await suite.side.requests.get(request.id))!.forwardedAt !== null, 'the request to be marked forwarded');

    const exported = await exportSubject(suite.side, { userId: 'c-1' });
    expect(exported.subjects[0]!.profile).toMatchObject({ plan: 'enterprise' });
    // Forwarded once: the relay does not send it again.
    await new Promise((r) => setTimeout(r, 600));
    expect(delivered().filter((e) => e.messageId === `correction-${request.id}`)).toHaveLength(1);
  }, 90_000);
});
