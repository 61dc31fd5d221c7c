// Point memory is shared through the inventory store: a point one engine process classified governs
// the values another engine sees there, and a restarted engine starts with what the store knows
// (loaded before its first batch). Real PostgreSQL / PGlite; the restart runs the real binary.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { DurableState } from '../../src/state/durable.js';
import { LocalProcessor } from '../../src/pipeline/processor.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { PathTrie } from '../../src/events/index.js';
import { requireBuild, segmentloomAsync } from '../cli/helpers.js';
import { FAIL_CLOSED_POLICY } from '../pipeline/helpers.js';
import { ENGINES, ndjson, testStore, until, writeEngineConfig, type TestStore } from './helpers.js';

// A valid IBAN teaches the point; the unrecognised value stands for one the validator cannot judge.
const IBAN = 'DE89 3704 0044 0532 0130 00';
const OPAQUE = 'QX77 BANK 0000 1234 99';
const payout = (messageId: string, dest: string) => ({ type: 'track', event: 'Payout', messageId, userId: 'u-1', properties: { dest, amount: 10 } });

const stores: TestStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.drop();
});

describe('point memory across two engine processes (postgres)', () => {
  it('controls values at a point another engine classified, once its poll has read the store', async () => {
    const store = await testStore('postgres', 'point_memory');
    stores.push(store);
    const { config } = await writeEngineConfig(
      `source: web\n${FAIL_CLOSED_POLICY}\n${store.yaml}\ninventory: { flushIntervalMs: 100, pointMemoryPollMs: 100 }\n`,
    );
    const controls = (await buildControls(config)).controls;
    const a = (await DurableState.open(config, { logger: silentLogger(), env: {} }))!;
    const b = (await DurableState.open(config, { logger: silentLogger(), env: {} }))!;
    try {
      const engine = (state: DurableState) => new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(), null, state.processing());
      const send = async (processor: LocalProcessor, state: DurableState, event: object) => {
        const batch = (await processor.process(controls, [{ topic: 'in', value: Buffer.from(JSON.stringify(event)) }]))!;
        state.observe(batch.tap);
        const outputs = batch.outcomes[0] as unknown as Array<{ destination: string; json: string }>;
        return Object.fromEntries(outputs.map((o) => [o.destination, JSON.parse(o.json).properties]));
      };
      const engineA = engine(a);
      const engineB = engine(b);
      // B has seen nothing at this point yet: its detector alone lets the opaque value through.
      expect((await send(engineB, b, payout('b0', OPAQUE))).warehouse).toMatchObject({ dest: OPAQUE });

      // A classifies the point as an IBAN and flushes it to the shared inventory.
      expect((await send(engineA, a, payout('a1', IBAN))).warehouse).not.toHaveProperty('dest');
      await a.inventory!.flush();
      await until(() => b.lists.memory.size > 0, 'engine B to poll the classified points');

      const after = await send(engineB, b, payout('b1', OPAQUE));
      for (const destination of ['warehouse', 'analytics', 'mailer']) expect(after[destination]).not.toHaveProperty('dest');
      expect(after.warehouse).toMatchObject({ amount: 10 });
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});

describe.each(ENGINES)('point memory across a restart (%s, real binary)', (engine) => {
  it('starts with the points the store knows, before the first batch', async () => {
    requireBuild();
    const store = await testStore(engine, 'point_restart');
    stores.push(store);
    const { file, dir } = await writeEngineConfig(`source: web\n${FAIL_CLOSED_POLICY}\n${store.yaml}\ninventory: { flushIntervalMs: 100 }\n`);
    const first = join(dir, 'first.ndjson');
    const second = join(dir, 'second.ndjson');
    writeFileSync(first, ndjson([payout('m1', IBAN)]));
    writeFileSync(second, ndjson([payout('m2', OPAQUE)]));

    const run1 = await segmentloomAsync(['run', '--config', file, '--input', first, '--out', join(dir, 'out1')], { timeoutMs: 60_000 });
    expect(run1.status, run1.stderr).toBe(0);
    const run2 = await segmentloomAsync(['run', '--config', file, '--input', second, '--out', join(dir, 'out2')], { timeoutMs: 60_000 });
    expect(run2.status, run2.stderr).toBe(0);
    for (const destination of ['warehouse', 'analytics', 'mailer']) {
      const [event] = readFileSync(join(dir, 'out2', `${destination}.ndjson`), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(event.messageId).toBe('m2');
      expect(event.properties).not.toHaveProperty('dest');
    }
    for (const text of [run2.stdout, run2.stderr]) expect(text).not.toContain(OPAQUE);
  }, 120_000);
});
