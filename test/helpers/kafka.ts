// How a test gets the Kafka broker that test/setup/kafka.global.ts started (or was pointed at).
//
//   import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
//   describeKafka('my pipeline', () => { it('…', async () => { const brokers = kafkaBrokers(); … }); });
//
// Without a broker the tests fail loudly; only SEGMENTLOOM_SKIP_KAFKA=1 turns them into skips.
import { describe, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** 'host:port[,host:port]' of a running broker, provided by test/setup/kafka.global.ts. */
    kafkaBrokers?: string;
    /** Why no broker could be started, when the setup tried and failed. */
    kafkaUnavailable?: string;
  }
}

export const NO_KAFKA_MESSAGE =
  'No Kafka broker: set KAFKA_BROKERS, or let the test setup start one (needs java+mvn), or run with Docker (testcontainers). SEGMENTLOOM_SKIP_KAFKA=1 opts out explicitly.';

export const kafkaSkipped = process.env.SEGMENTLOOM_SKIP_KAFKA === '1';

/** The broker list for kafkajs (`brokers: kafkaBrokers().split(',')`); throws when there is none. */
export function kafkaBrokers(): string {
  const provided = inject('kafkaBrokers') ?? process.env.KAFKA_BROKERS;
  if (provided) return provided;
  const why = inject('kafkaUnavailable');
  throw new Error(why ? `${NO_KAFKA_MESSAGE}\nThe test setup tried and failed: ${why}` : NO_KAFKA_MESSAGE);
}

/** `describe` for suites that need Kafka; `describe.skip` only under SEGMENTLOOM_SKIP_KAFKA=1. */
export const describeKafka: typeof describe.skip = describe.skipIf(kafkaSkipped);
