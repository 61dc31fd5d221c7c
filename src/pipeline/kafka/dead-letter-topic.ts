import kafkajs, { type Kafka } from 'kafkajs';
import { ConfigError } from '../../config/errors.js';
import type { Logger } from '../../core/logger.js';

// Not a named export Node's CommonJS detection finds.
const { ConfigResourceTypes } = kafkajs;

/** The dead-letter topic's config entries when the engine creates it. */
export function deadLetterTopicConfig(retentionMs: number): { name: string; value: string }[] {
  return [{ name: 'retention.ms', value: String(retentionMs) }];
}

/**
 * At start: the dead-letter topic must not keep records longer than `deadLetter.retention` (they
 * hold raw events). A longer or infinite retention.ms is refused with the command that fixes it;
 * a missing topic (created later by the broker, or not at all) is warned about.
 */
export async function verifyDeadLetterRetention(kafka: Kafka, topic: string, retentionMs: number, logger: Logger): Promise<number | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      logger.warn(
        { topic },
        'dead-letter topic does not exist: its retention.ms cannot be checked (create it with retention.ms set, or set kafka.createTopics)',
      );
      return null;
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms');
    const actual = entry === undefined ? NaN : Number(entry.configValue);
    if (!Number.isFinite(actual) || actual < 0 || actual > retentionMs) {
      throw new ConfigError(
        `deadLetter.retention: the dead-letter topic ${topic} keeps records for ${actual < 0 ? 'ever' : `${actual} ms`}, longer than the configured ${retentionMs} ms; set it: kafka-configs.sh --alter --entity-type topics --entity-name ${topic} --add-config retention.ms=${retentionMs}`,
        undefined,
        'deadLetter.retention',
      );
    }
    logger.info({ topic, retentionMs: actual }, 'dead-letter topic retention verified');
    return actual;
  } finally {
    await admin.disconnect();
  }
}
