// vitest globalSetup: a Kafka broker for the whole test run (see service.ts for the order of
// preference: KAFKA_BROKERS, SEGMENTLOOM_SKIP_KAFKA, a local JVM from Maven Central jars via
// scripts/kafka-broker.js, then @testcontainers/kafka). Tests read the address with kafkaBrokers()
// from test/helpers/kafka.ts, which also declares the provided keys.
import type { TestProject } from 'vitest/node';
import { cachedKafkaJars, javaAvailable, mavenAvailable, startKafka } from '../../scripts/kafka-broker.js';
import { provideService } from './service.js';

export default function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  return provideService(project, {
    label: 'kafka.global',
    what: 'Kafka broker',
    envVar: 'KAFKA_BROKERS',
    provideKey: 'kafkaBrokers',
    unavailableKey: 'kafkaUnavailable',
    localAvailable: () => javaAvailable() && (mavenAvailable() || Boolean(cachedKafkaJars())),
    startLocal: async () => {
      const broker = await startKafka({});
      return { address: broker.brokers, describe: `Kafka ${broker.version}, pid ${broker.pid}`, stop: () => broker.stop() };
    },
    startContainer: async () => {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start();
      return {
        address: `${container.getHost()}:${container.getMappedPort(9093)}`,
        describe: 'Kafka cp-kafka 7.6.1',
        stop: async () => void (await container.stop()),
      };
    },
  });
}
