import { createWriteStream } from 'node:fs';
import { loadEngineConfig, type EngineConfig } from '../../config/load.js';
import { createLogger } from '../../core/logger.js';
import { readDeadLetterFile, restore, summaryOf, type StoredDeadLetter } from '../../pipeline/dead-letter-records.js';
import { DeadLetterKeyError, DeadLetterOpener } from '../../pipeline/dead-letter-seal.js';
import { deadLetterKeyring } from '../../pipeline/dead-letter-setup.js';
import { Keyring } from '../../storage/crypto/master-keys.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { defineCommand } from '../registry.js';

const HELP = `Usage: segmentloom dlq inspect (FILE… | --config FILE [--topic TOPIC])
       segmentloom dlq replay  FILE… [--out FILE]
       segmentloom dlq replay  --config FILE [--topic TOPIC] [--to TOPIC]

Dead-letter records hold the original events (personal data included), sealed with AES-256-GCM
under a data key wrapped by the master key whenever one is configured.

  inspect  prints, one JSON line per record, why it was dead-lettered and where it came from
           (code, reason, source topic/partition/offset, encrypted, master key version, size),
           never the event itself, then a totals line. Needs no key.
  replay   restores the original records. From files: writes each original value as one line to
           --out (default stdout), ready for \`segmentloom run --input\`. From the Kafka topic
           (--config; default topic: deadLetter.topic): produces each original key, value and
           headers to its source topic, or to --to. Records cut to a size limit are skipped
           (they are incomplete); the exit status is then 1.
           Needs the master keys that sealed them: SEGMENTLOOM_MASTER_KEYS[_FILE], or the
           config's deadLetter.masterKeys / storage.masterKeys. Records sealed before a key
           rotation open as long as their version is still in the keyring.
`;

export const run = defineCommand({
  name: 'dlq',
  help: HELP,
  options: {
    config: { type: 'string', short: 'c' },
    topic: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string', short: 'o' },
  },
  subcommands: ['inspect', 'replay'],
  async handler({ values, sub: action, args: files, io }) {
    if ((files.length === 0) === (values.config === undefined)) throw new UsageError('give dead-letter FILE(s), or --config FILE to read the Kafka topic');
    if (files.length > 0 && (values.topic !== undefined || values.to !== undefined))
      throw new UsageError('--topic and --to go with --config (Kafka), not with files');
    const config = values.config !== undefined ? await loadEngineConfig(values.config, io.env) : null;
    if (action === 'inspect') {
      try {
        return await inspect(files, config, values.topic, io);
      } catch (err) {
        if (!(err instanceof DeadLetterKeyError)) throw err;
        io.stderr.write(`segmentloom dlq: ${err.message}\n`);
        return EXIT.failure;
      }
    }
    const keyring = config
      ? deadLetterKeyring(config, io.env)
      : io.env.SEGMENTLOOM_MASTER_KEYS || io.env.SEGMENTLOOM_MASTER_KEYS_FILE
        ? Keyring.fromEnv(io.env)
        : null;
    const opener = keyring ? new DeadLetterOpener(keyring) : null;
    try {
      return await (config ? replayKafka(config, values.topic, values.to, opener, io) : replayFiles(files, values.out, opener, io));
    } catch (err) {
      if (!(err instanceof DeadLetterKeyError)) throw err;
      io.stderr.write(`segmentloom dlq: ${err.message}\n`);
      return EXIT.failure;
    }
  },
});

async function eachRecord(
  files: string[],
  config: EngineConfig | null,
  topic: string | undefined,
  onRecord: (r: StoredDeadLetter) => Promise<void>,
): Promise<void> {
  if (config === null) {
    for (const file of files) for await (const record of readDeadLetterFile(file)) await onRecord(record);
    return;
  }
  const { kafka, close } = await kafkaOf(config);
  try {
    const { readDeadLetterTopic } = await import('../../pipeline/kafka/dead-letter-read.js');
    await readDeadLetterTopic(kafka, topic ?? config.deadLetter.topic, onRecord);
  } finally {
    await close();
  }
}

async function inspect(files: string[], config: EngineConfig | null, topic: string | undefined, io: CliIo): Promise<number> {
  const totals = { records: 0, encrypted: 0, clear: 0, truncated: 0, byCode: {} as Record<string, number> };
  await eachRecord(files, config, topic, async (record) => {
    const summary = summaryOf(record);
    totals.records++;
    if (summary.encrypted) totals.encrypted++;
    else totals.clear++;
    if (summary.truncatedFrom !== null) totals.truncated++;
    const code = summary.code ?? '(none)';
    totals.byCode[code] = (totals.byCode[code] ?? 0) + 1;
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  });
  io.stdout.write(`${JSON.stringify({ totals })}\n`);
  if (totals.clear > 0) io.stderr.write(`segmentloom dlq: ${totals.clear} record(s) are not encrypted: they hold raw events in clear\n`);
  return EXIT.ok;
}

interface ReplayCounts {
  replayed: number;
  skippedTruncated: number;
}

async function replayFiles(files: string[], out: string | undefined, opener: DeadLetterOpener | null, io: CliIo): Promise<number> {
  const sink: NodeJS.WritableStream = out === undefined ? io.stdout : createWriteStream(out, { mode: 0o600 });
  const counts: ReplayCounts = { replayed: 0, skippedTruncated: 0 };
  try {
    await eachRecord(files, null, undefined, async (record) => {
      if (summaryOf(record).truncatedFrom !== null) {
        counts.skippedTruncated++;
        return;
      }
      const original = restore(record, opener);
      if (original.value === null) return;
      if (!sink.write(Buffer.concat([original.value, Buffer.from('\n')]))) await new Promise((r) => sink.once('drain', r));
      counts.replayed++;
    });
  } finally {
    if (sink !== io.stdout)
      await new Promise<void>((resolve, reject) => (sink as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  io.stderr.write(`${JSON.stringify(counts)}\n`);
  return counts.skippedTruncated > 0 ? EXIT.failure : EXIT.ok;
}

async function replayKafka(
  config: EngineConfig,
  topic: string | undefined,
  to: string | undefined,
  opener: DeadLetterOpener | null,
  io: CliIo,
): Promise<number> {
  const { kafka, close } = await kafkaOf(config);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const counts: ReplayCounts = { replayed: 0, skippedTruncated: 0 };
  await producer.connect();
  try {
    const { readDeadLetterTopic } = await import('../../pipeline/kafka/dead-letter-read.js');
    await readDeadLetterTopic(kafka, topic ?? config.deadLetter.topic, async (record) => {
      const summary = summaryOf(record);
      if (summary.truncatedFrom !== null) {
        counts.skippedTruncated++;
        return;
      }
      const target = to ?? summary.source.topic;
      if (target === null) throw new Error(`${record.at}: no source topic header; pass --to TOPIC`);
      const original = restore(record, opener);
      const headers = Object.fromEntries(Object.entries(original.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : v]));
      await producer.send({ topic: target, messages: [{ key: original.key, value: original.value, headers }] });
      counts.replayed++;
    });
  } finally {
    await producer.disconnect();
    await close();
  }
  io.stderr.write(`${JSON.stringify(counts)}\n`);
  return counts.skippedTruncated > 0 ? EXIT.failure : EXIT.ok;
}

async function kafkaOf(config: EngineConfig) {
  if (config.kafka === undefined) throw new UsageError(`${config.file}: no kafka section: give dead-letter files instead`);
  const { createKafkaClient } = await import('../../pipeline/kafka/client.js');
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  return { kafka: createKafkaClient(config.kafka, logger), close: async () => {} };
}
