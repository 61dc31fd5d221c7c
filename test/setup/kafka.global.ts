// vitest globalSetup: a Kafka broker for the whole test run.
//
// Order of preference:
//   1. KAFKA_BROKERS is set            → use that broker (e.g. `npm run kafka:up`, or CI's own).
//   2. SEGMENTLOOM_SKIP_KAFKA=1        → provide nothing; describeKafka suites are skipped.
//   3. java + mvn (or cached jars)     → a real Apache Kafka (KRaft) from Maven Central, via
//                                        scripts/kafka-broker.js. No Docker needed.
//   4. a Docker engine answers         → @testcontainers/kafka (confluentinc/cp-kafka:7.6.1).
//   5. none of these                   → provide nothing; kafkaBrokers() throws an explicit error.
//
// Tests read the address with kafkaBrokers() from test/helpers/kafka.ts, which uses vitest's
// inject('kafkaBrokers') (what project.provide() sets here) and falls back to process.env.KAFKA_BROKERS
// (also set here, and inherited by the forked workers, which are spawned after global setup).
import { dockerAnswers } from './docker.js';
import type { TestProject } from 'vitest/node';
import { cachedKafkaJars, javaAvailable, mavenAvailable, startKafka } from '../../scripts/kafka-broker.js';
// The ProvidedContext keys ('kafkaBrokers', 'kafkaUnavailable') are declared in test/helpers/kafka.ts.

const log = (msg: string): void => {
  process.stderr.write(`[kafka.global] ${msg}\n`);
};

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const useBrokers = (brokers: string): void => {
    project.provide('kafkaBrokers', brokers);
    process.env.KAFKA_BROKERS = brokers;
  };

  const given = process.env.KAFKA_BROKERS?.trim();
  if (given) {
    log(`using KAFKA_BROKERS=${given}`);
    useBrokers(given);
    return undefined;
  }
  if (process.env.SEGMENTLOOM_SKIP_KAFKA === '1') {
    log('SEGMENTLOOM_SKIP_KAFKA=1: no Kafka broker; Kafka suites are skipped');
    return undefined;
  }

  const tried: string[] = [];
  try {
    if (javaAvailable() && (mavenAvailable() || cachedKafkaJars())) {
      const t0 = Date.now();
      const broker = await startKafka({});
      log(`Kafka ${broker.version} (local JVM, pid ${broker.pid}) at ${broker.brokers} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      useBrokers(broker.brokers);
      return async () => {
        await broker.stop();
      };
    }
    tried.push('java and mvn are not both on PATH');
    if (await dockerAnswers()) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const t0 = Date.now();
      const container = await new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start();
      const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
      log(`Kafka (testcontainers) at ${brokers} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      useBrokers(brokers);
      return async () => {
        await container.stop();
      };
    }
    tried.push('no Docker engine answers');
  } catch (err) {
    tried.push(err instanceof Error ? err.message : String(err));
  }
  const why = tried.join('; ');
  log(`no Kafka broker: ${why}`);
  project.provide('kafkaUnavailable', why);
  return undefined;
}
