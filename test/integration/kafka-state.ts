// A stateful Kafka engine for the integration tests: unique topics, a config with a storage
// section, and engines that are stopped after the suite.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngineConfig } from '../../src/config/engine.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/pipeline/service.js';
import { kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from '../pipeline/helpers.js';
import { createTopics, testKafka, uniqueName } from '../pipeline/kafka-helpers.js';

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
source: web
kafka:
  brokers: "${kafkaBrokers()}"
  groupId: ${groupId}
  topics: [${t.input}]
  fromBeginning: true
  sessionTimeoutMs: 10000
  heartbeatIntervalMs: 1000
deadLetter: { topic: ${t.dlq} }
batch: { maxWaitMs: 50, workers: ${workers} }
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

export { uniqueName };
