import { compatibilityPartitioner, Producer } from '@platformatic/kafka';
import type { KafkaConfig } from '../../config/load.js';
import type { EventSink, HeaderValue, OutputMessage } from '../../events/index.js';
import { splitBySize } from './sink.js';
import { tlsOptions } from './tls.js';

type Bytes = Buffer | string;
/** A header name as an object: Map keys by identity, so a repeated header keeps every value. */
interface HeaderName {
  name: string;
}

/**
 * The producer behind the EventSink seam: @platformatic/kafka, a maintained pure-TypeScript client.
 * Idempotent, `acks: -1`, `send` resolves only once the broker holds the messages (which is what
 * lets the loop commit the input afterwards), requests in order, and the Java-compatible murmur2
 * partitioner, so a key lands on the same partition as with Java producers.
 */
export class PlatformaticKafkaSink implements EventSink {
  private producer: Producer<Bytes, Bytes, HeaderName, Bytes>;
  /**
   * Sends wait for the one before to settle. The idempotent client numbers a record batch when it
   * builds the request and counts those numbers used only once the send is acknowledged, so two
   * sends in flight to one partition (lanes of input partitions whose outputs meet there) carry
   * the same sequence, and the broker drops the second as a retry of the first while answering
   * success: 200 concurrent one-message sends wrote one message (test/pipeline/kafka-sink-concurrent).
   */
  private queue: Promise<void> = Promise.resolve();
  /** A send not settled by then is failed (and redelivered by the loop): see `sendWithin`. */
  private readonly sendTimeoutMs: number;

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: { maxBytesPerRequest?: number; sendTimeoutMs?: number } = {},
  ) {
    this.sendTimeoutMs = options.sendTimeoutMs ?? config.requestTimeoutMs + config.connectionTimeoutMs;
    this.producer = this.createProducer();
  }

  private createProducer(): Producer<Bytes, Bytes, HeaderName, Bytes> {
    const config = this.config;
    const tls = tlsOptions(config.ssl);
    return new Producer<Bytes, Bytes, HeaderName, Bytes>({
      clientId: config.clientId,
      bootstrapBrokers: config.brokers,
      connectTimeout: config.connectionTimeoutMs,
      timeout: config.requestTimeoutMs,
      idempotent: true,
      acks: -1,
      partitioner: compatibilityPartitioner,
      ...(config.compression === 'gzip' ? { compression: 'gzip' as const } : {}),
      ...(tls ? { tls } : {}),
      ...(config.sasl ? { sasl: saslOptions(config) } : {}),
      serializers: {
        key: toBuffer,
        value: toBuffer,
        headerKey: (header?: HeaderName) => (header ? Buffer.from(header.name) : undefined),
        headerValue: toBuffer,
      },
    });
  }

  async connect(): Promise<void> {
    // Fetching metadata opens the connection and fails early when the brokers cannot be reached.
    await this.producer.metadata({ topics: [] });
  }

  async send(target: string, messages: OutputMessage[]): Promise<void> {
    await this.sendMany([{ target, messages }]);
  }

  sendMany(batches: { target: string; messages: OutputMessage[] }[]): Promise<void> {
    // One send at a time through the client: see `queue`.
    const sending = this.queue.then(() => this.sendInOrder(batches));
    this.queue = sending.catch(() => {});
    return sending;
  }

  private async sendInOrder(batches: { target: string; messages: OutputMessage[] }[]): Promise<void> {
    // One request after another: later messages of a key never overtake earlier ones.
    for (const request of splitBySize(batches, this.options.maxBytesPerRequest ?? 900_000)) {
      const messages = [];
      for (const { target, messages: outputs } of request) {
        for (const output of outputs) {
          messages.push({
            topic: target,
            ...(output.key !== null ? { key: output.key } : {}),
            ...(output.value !== null ? { value: output.value } : {}),
            ...(output.headers ? { headers: headerMap(output.headers) } : {}),
          });
        }
      }
      await this.sendWithin(messages);
    }
  }

  /**
   * @platformatic/kafka 1.x can leave a send unsettled for ever after a partition leader's broker
   * is SIGKILLed (seen in the 3-broker fault test: neither acknowledged nor failed, minutes later).
   * A send not settled within `sendTimeoutMs` is failed, so the loop redelivers its batch (at least
   * once: the hung request may still land, a duplicate), and the client is replaced by a fresh one
   * (new producer id, fresh metadata); the old one is closed in the background.
   */
  private async sendWithin(messages: Parameters<Producer<Bytes, Bytes, HeaderName, Bytes>['send']>[0]['messages']): Promise<void> {
    const producer = this.producer;
    const sending = producer.send({ messages });
    // Settles later, or never, once the race is lost: not an unhandled rejection.
    sending.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.sendTimeoutMs);
    });
    try {
      if ((await Promise.race([sending, expired])) !== 'expired') return;
    } finally {
      clearTimeout(timer);
    }
    if (this.producer === producer) {
      this.producer = this.createProducer();
      producer.close().catch(() => {});
    }
    throw new Error(`Kafka send not acknowledged within ${this.sendTimeoutMs} ms; the producer client was replaced`);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

function toBuffer(data?: Bytes): Buffer | undefined {
  if (data === undefined) return undefined;
  return typeof data === 'string' ? Buffer.from(data) : data;
}

/** Kafka allows repeated header names (kept in order, each its own entry). */
function headerMap(headers: Record<string, HeaderValue>): Map<HeaderName, Bytes> {
  const map = new Map<HeaderName, Bytes>();
  for (const name in headers) {
    const value = headers[name]!;
    if (Array.isArray(value)) for (const each of value) map.set({ name }, each);
    else map.set({ name }, value);
  }
  return map;
}

/** The SASL settings of the engine config in @platformatic/kafka's shape (producer and consumer). */
export function saslOptions(
  config: Pick<KafkaConfig, 'sasl'>,
): { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string } | undefined {
  if (!config.sasl) return undefined;
  return { mechanism: saslMechanism(config.sasl.mechanism), username: config.sasl.username, password: config.sasl.password };
}

function saslMechanism(mechanism: string): 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' {
  return mechanism === 'plain' ? 'PLAIN' : mechanism === 'scram-sha-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
}
