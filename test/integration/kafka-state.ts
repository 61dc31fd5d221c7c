// A stateful Kafka engine for the integration tests: unique topics, a config with a storage
// section, and engines that are stopped after the suite.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import type { Storage } from '../../src/storage/storage.js';
import { kafkaEngineHead } from '../pipeline/engine-harness.js';
import { tempDir } from '../pipeline/helpers.js';
import { createTopics, testKafka, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';
import { testStore, type TestStore } from './helpers.js';

export interface StateTopics {
  input: string;
  warehouse: string;
  dlq: string;
}

export async function stateTopics(prefix: string, partitions = 1): Promise<StateTopics> {
  const t = { input: uniqueName(`${prefix}-in`), warehouse: uniqueName(`${prefix}-wh`), dlq: uniqueName(`${prefix}-dlq`) };
  await createTopics(testKafka(), [t.input, t.warehouse, t.dlq], partitions);
  return t;
}

/** Engine YAML around `extra` (storage, inventory, …): one `warehouse` destination. */
export function stateEngineYaml(t: StateTopics, groupId: string, extra: string, workers = 0): string {
  return `
${kafkaEngineHead({ groupId, input: t.input, dlq: t.dlq })}batch: { maxWaitMs: 50, workers: ${workers} }
reload: { enabled: false }
destinations:
  - { name: warehouse, topic: ${t.warehouse} }
${extra}`;
}

export class Engines {
  readonly running: EngineHandle[] = [];

  async start(yaml: string): Promise<EngineHandle> {
    const file = join(tempDir('sl-int-kafka-'), 'engine.yaml');
    writeFileSync(file, yaml);
    const engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {} });
    this.running.push(engine);
    return engine;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((e) => e.stop().catch(() => {})));
  }
}

/** What a stateful-engine suite works with, set up before its tests run. */
export interface StateSuite {
  kafka: Kafka;
  store: TestStore;
  /** Another process's view of the engine's database: the API or the CLI acting on it. */
  side: Storage;
  t: StateTopics;
  engine: EngineHandle;
  /** Reads the warehouse topic from the start. */
  out: TopicReader;
}

/**
 * Registers the suite's setup and teardown: a Postgres store named `storeName`, topics prefixed
 * `topicPrefix`, one engine configured with the store and `extra`, a second connection to the
 * store and a reader of the warehouse topic. The returned object is filled in before the tests run.
 */
export function stateSuite(storeName: string, topicPrefix: string, extra: string, workers = 0): StateSuite {
  const engines = new Engines();
  const suite = { kafka: testKafka() } as StateSuite;
  beforeAll(async () => {
    suite.store = await testStore('postgres', storeName);
    suite.t = await stateTopics(topicPrefix);
    suite.engine = await engines.start(stateEngineYaml(suite.t, uniqueName('group'), `${suite.store.yaml}\n${extra}`, workers));
    suite.side = await suite.store.open();
    suite.out = await new TopicReader(suite.kafka, [suite.t.warehouse]).start();
  }, 120_000);
  afterAll(async () => {
    await engines.stopAll();
    await suite.out?.stop();
    await suite.side?.close();
    await suite.store?.drop();
  });
  return suite;
}

export { uniqueName };
