import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { EventSink, OutputMessage } from '../../events/index.js';

export interface KafkaSinkOptions {
  compression?: 'none' | 'gzip';
  /** Bytes per produce request (below the broker's message.max.bytes); larger sends are split. */
  maxBytesPerRequest?: number;
  /** Producer request timeout; an unacknowledged send fails the batch (it is then redelivered). */
  timeoutMs?: number;
}

/**
 * An idempotent producer waiting for all in-sync replicas (`acks: -1`): `send` resolves only once
 * the broker has the messages durably, which is what lets the loop commit the input afterwards.
 * Keys are kept, so the default partitioner puts one key on one partition (per-key order).
 */
export class KafkaSink implements EventSink {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;
  private readonly compression: CompressionTypes;

  constructor(kafka: Kafka, private readonly options: KafkaSinkOptions = {}) {
    // Idempotence needs a single in-flight request per connection in kafkajs.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async send(target: string, messages: OutputMessage[]): Promise<void> {
    await this.sendMany([{ target, messages }]);
  }

  async sendMany(batches: { target: string; messages: OutputMessage[] }[]): Promise<void> {
    if (batches.length === 0) return;
    await this.connect();
    // Requests go one after another: later messages of a key never overtake earlier ones.
    for (const request of splitBySize(batches, this.options.maxBytesPerRequest ?? 900_000)) {
      await this.producer.sendBatch({
        acks: -1,
        compression: this.compression,
        ...(this.options.timeoutMs ? { timeout: this.options.timeoutMs } : {}),
        topicMessages: request.map(({ target, messages }) => ({ topic: target, messages: messages as Message[] })),
      });
    }
  }

  async close(): Promise<void> {
    if (this.connected === null) return;
    await this.connected.catch(() => {});
    await this.producer.disconnect();
  }
}

/**
 * Packs messages, in order, into requests of at most `limit` bytes (a single larger message gets a
 * request of its own; the broker then judges it).
 */
export function splitBySize(batches: { target: string; messages: OutputMessage[] }[], limit: number): { target: string; messages: OutputMessage[] }[][] {
  const requests: { target: string; messages: OutputMessage[] }[][] = [];
  let current: { target: string; messages: OutputMessage[] }[] = [];
  let size = 0;
  for (const { target, messages } of batches) {
    let part: OutputMessage[] = [];
    for (const message of messages) {
      const bytes = sizeOf(message);
      if (size + bytes > limit && size > 0) {
        if (part.length > 0) current.push({ target, messages: part });
        requests.push(current);
        current = [];
        part = [];
        size = 0;
      }
      part.push(message);
      size += bytes;
    }
    if (part.length > 0) current.push({ target, messages: part });
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function sizeOf(message: OutputMessage): number {
  // Record overhead (~70 bytes for offsets, timestamps, lengths) plus the payload.
  let bytes = 70 + lengthOf(message.key) + lengthOf(message.value);
  if (message.headers) {
    for (const name in message.headers) {
      const value = message.headers[name]!;
      bytes += name.length + (Array.isArray(value) ? value.reduce((n, v) => n + lengthOf(v), 0) : lengthOf(value));
    }
  }
  return bytes;
}

function lengthOf(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  // String length undercounts multi-byte UTF-8; ×3 would be safe but wasteful: count exactly
  // only when it might matter.
  return typeof value === 'string' ? (value.length > 1024 ? Buffer.byteLength(value) : value.length * 3) : value.length;
}
