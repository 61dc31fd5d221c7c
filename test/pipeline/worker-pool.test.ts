// Processing in worker threads gives the same outcomes as in-thread processing, follows hot
// reloads, and survives a worker dying. The pool starts dist/pipeline/worker/thread.js, so these
// tests need `npm run build` first (`npm test` does it).
import { afterEach, describe, expect, it } from 'vitest';
import { ControlsRef } from '../../src/pipeline/controls.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { LocalProcessor } from '../../src/pipeline/processor.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { WorkerPool } from '../../src/pipeline/worker/pool.js';
import { silentLogger } from '../../src/core/logger.js';
import { expectedHash, FAIL_CLOSED_POLICY, message, policyYaml, sampleEvent, writeConfig } from './helpers.js';

const pools: WorkerPool[] = [];
afterEach(async () => {
  while (pools.length) await pools.pop()!.close();
});

const inputs = () => [
  message(sampleEvent({ messageId: 'a' })),
  message('{"type":'),
  message(null),
  message(sampleEvent({ messageId: 'b', userId: 'banned' })),
  message(sampleEvent({ messageId: 'c', context: { gpc: true } })),
];

describe('WorkerPool', () => {
  it('produces the same outcomes and report as in-thread processing', async () => {
    const { config } = await writeConfig(`${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\nsuppression: { userIds: [banned] }\n`);
    const controls = (await buildControls(config)).controls;
    const local = await new LocalProcessor(jsonDecoder, () => 'default').process(controls, inputs());
    const pool = await WorkerPool.start(config, 2, silentLogger());
    pools.push(pool);
    const remote = await pool.process(controls, inputs());
    // Outputs come back already encoded (views of one transferred buffer); the documents are the same.
    const asText = (outcomes: unknown[]) =>
      outcomes.map((o) => (Array.isArray(o) ? o.map((out: { json: string | Buffer }) => ({ ...out, json: out.json.toString() })) : o));
    for (const outcome of remote!.outcomes) if (Array.isArray(outcome)) for (const out of outcome) expect(Buffer.isBuffer(out.json)).toBe(true);
    expect({ ...remote, outcomes: asText(remote!.outcomes) }).toEqual(local);
    const ads = (remote!.outcomes[0] as unknown as Array<{ destination: string; json: Buffer }>).find((o) => o.destination === 'ads')!;
    expect(JSON.parse(ads.json.toString()).properties.email).toBe(expectedHash('ada@example.com'));
    expect(remote!.outcomes[1]).toMatchObject({ code: 'malformed_json' });
    expect(remote!.outcomes[3]).toBeNull();
  });

  it('applies config updates before the next batch', async () => {
    const { config } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }));
    const ref = new ControlsRef((await buildControls(config)).controls);
    const pool = await WorkerPool.start(config, 1, silentLogger());
    pools.push(pool);
    const next = structuredClone(config);
    next.policy.destinations = [{ name: 'only', topic: 'only-topic', allow: undefined, consent: undefined }];
    next.policy.policies = [];
    await pool.update(next);
    const result = await pool.process(ref.current, [message(sampleEvent())], async () => true);
    expect((result!.outcomes[0] as unknown as Array<{ topic: string }>).map((o) => o.topic)).toEqual(['only-topic']);
  });

  it('a config a worker rejects is applied by none: every worker keeps the config in force', async () => {
    const { config } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }));
    const controls = (await buildControls(config)).controls;
    const pool = await WorkerPool.start(config, 2, silentLogger());
    pools.push(pool);
    const broken = structuredClone(config);
    broken.policy.destinations = [{ name: 'only', topic: 'only-topic', allow: undefined, consent: undefined }];
    broken.policy.policies = [];
    broken.classifiers = ['/nonexistent/classifiers'];
    await expect(pool.update(broken)).rejects.toThrow(/rejected the new config/);
    for (let i = 0; i < 4; i++) {
      const result = await pool.process(controls, [message(sampleEvent())]);
      expect((result!.outcomes[0] as unknown as Array<{ topic: string }>).map((o) => o.topic)).toEqual(['wh', 'an', 'ads']);
    }
  });

  it('fails the batches of a worker that dies and replaces it', async () => {
    const { config } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }));
    const controls = (await buildControls(config)).controls;
    const pool = await WorkerPool.start(config, 1, silentLogger());
    pools.push(pool);
    const worker = (pool as unknown as { workers: Array<{ worker: { terminate(): Promise<number> } }> }).workers[0]!;
    const pending = pool.process(
      controls,
      Array.from({ length: 2000 }, () => message(sampleEvent())),
    );
    await worker.worker.terminate();
    await expect(pending).rejects.toThrow(/exited/);
    const replacement = (pool as unknown as { workers: Array<{ ready: Promise<void> }> }).workers[0]!;
    await replacement.ready;
    const after = await pool.process(controls, [message(sampleEvent())]);
    expect(after!.report.eventsIn).toBe(1);
  });
});

describe('WorkerPool point memory', () => {
  it('controls values at points the store classified, sent at start and as changes', async () => {
    const { config } = await writeConfig(FAIL_CLOSED_POLICY);
    const controls = (await buildControls(config)).controls;
    const point = (path: string) => ({ source: 'default', event: 'Payout', path, category: 'iban', classification: 'red' as const });
    const durable = {
      store: false,
      inventory: false,
      suppression: false,
      lookupKey: Buffer.alloc(32, 7).toString('base64'),
      state: { points: [point('properties.dest')] },
    };
    const pool = await WorkerPool.start(config, 1, silentLogger(), undefined, durable);
    pools.push(pool);
    const warehouse = async (properties: object) => {
      const batch = await pool.process(controls, [message({ type: 'track', event: 'Payout', userId: 'u', properties })]);
      const outputs = batch!.outcomes[0] as unknown as Array<{ destination: string; json: Buffer }>;
      return JSON.parse(outputs.find((o) => o.destination === 'warehouse')!.json.toString()).properties;
    };
    const opaque = 'QX77 BANK 0000 1234 99';
    expect(await warehouse({ dest: opaque, target: opaque })).toEqual({ target: opaque });
    pool.updateState({ points: [point('properties.target')] });
    expect(await warehouse({ dest: opaque, target: opaque, plan: 'pro' })).toEqual({ plan: 'pro' });
  });
});
