import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../../config/load.js';
import type { Logger } from '../../core/logger.js';
import { tlsOptions } from './tls.js';

/**
 * The one place a kafkajs client is configured. Everything kafkajs-specific stays in this folder,
 * so another client (e.g. a KafkaJS-compatible one) can replace it behind EventSource/EventSink.
 */
export function createKafkaClient(config: KafkaConfig, logger: Logger): Kafka {
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  };
  if (config.ssl === true) options.ssl = true;
  else if (config.ssl !== false) options.ssl = tlsOptions(config.ssl)!;
  if (config.sasl) options.sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions;
  return new Kafka(options);
}

/** Routes kafkajs's own log lines into pino (they carry broker/group facts, never message contents). */
function kafkaLogCreator(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: { namespace: string; level: logLevel; label: string; log: { message: string; [key: string]: unknown } }) => {
      const { message, timestamp: _t, logger: _l, ...extra } = log;
      const fields = { ...extra };
      // Payload-bearing fields never appear in kafkajs logs today; drop them defensively anyway.
      delete fields.messages;
      delete fields.value;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/** Creates missing topics (outputs, dead letter) when the config asks for it. */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  settings: { partitions: number; replicationFactor: number },
  logger: Logger,
  configEntries: ReadonlyMap<string, { name: string; value: string }[]> = new Map(),
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        ...(configEntries.has(topic) ? { configEntries: configEntries.get(topic)! } : {}),
      })),
    });
    logger.info({ topics: missing }, 'created topics');
  } finally {
    await admin.disconnect();
  }
}
