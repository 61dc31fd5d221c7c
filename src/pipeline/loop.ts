import { PathTrie } from '../events/index.js';
import type { Logger } from '../core/logger.js';
import type { ControlsRef } from './controls.js';
import { copyHeaders, deadLetterOf, type Failure } from '../events/index.js';
import type { EventDecoder } from '../events/index.js';
import { LocalProcessor, type BatchProcessor, type MessageOutcome, type ProcessedBatch } from './processor.js';
import { bump, leaksOf, type BatchReport, type EngineObserver } from './report.js';
import type { TapResult } from './tap.js';
import type { EventSink, EventSource, HeaderValue, InputMessage, OutputMessage, SourceBatch } from '../events/index.js';
import { Lane } from './lane.js';
import type { DataPointTally } from './walker.js';

export interface PipelineOptions {
  source: EventSource;
  sink: EventSink;
  decoder: EventDecoder;
  controls: ControlsRef;
  /** The source name (for policies and inventory) of an input topic. */
  sourceName: (topic: string) => string;
  /** Where an output goes: its Kafka topic, or (file outputs) its destination name. */
  route?: 'topic' | 'destination';
  observers?: EngineObserver[];
  logger: Logger;
  /** Largest number of messages handed to the sink in one call. */
  maxMessagesPerRequest?: number;
  /**
   * Largest record the sink can write (Kafka: keep under the topics' max.message.bytes). A record
   * over it would be refused on every redelivery and stall its partition: an event whose output is
   * over it is dead-lettered instead, and a dead-letter record keeps only that many bytes.
   */
  maxRecordBytes?: number;
  tally?: DataPointTally;
  /** Shared path trie (detection caches live on its nodes); one per engine by default. */
  trie?: PathTrie;
  /** Where decode/detect/enforce runs; in this thread by default (see WorkerPool). */
  processor?: BatchProcessor;
  /** The stateful side (event store, shared inventory), when the engine keeps state. */
  persistence?: BatchPersistence;
  /** Seals dead-letter records (key, value, original headers) before they are written; absent: clear. */
  deadLetterSealer?: { seal(record: OutputMessage): OutputMessage };
}

/** What a stateful engine does with a processed batch besides sending its outputs. */
export interface BatchPersistence {
  /**
   * Writes what must be durable before the batch is committed (the event store); resolves with the
   * events written. `receivedAt` (epoch millis) is when the batch reached the engine.
   */
  persist(messages: readonly InputMessage[], tap: TapResult | undefined, receivedAt: number): Promise<number>;
  /**
   * After the outputs are acknowledged and the events stored, before the commit: makes the batch's
   * inventory counts durable (folded with other batches', one upsert per flush). Offsets never run
   * ahead of the counts: a crash after it counts the batch twice on redelivery, never zero times.
   */
  record(tap: TapResult | undefined): Promise<void>;
}

/**
 * The loop: batch → decode → suppression → detect+enforce in one walk → outputs and dead letters
 * → await every send (and the event store write, when the engine keeps state) → inventory counts
 * written → commit. A batch is committed only after all its outputs are acknowledged, its events
 * stored and its counts written (at-least-once; store writes are idempotent on messageId); a
 * failure anywhere before that leaves it uncommitted for redelivery. Bad input never stops it:
 * every message that cannot be processed goes to the dead-letter target intact.
 */
export class Pipeline {
  private readonly processor: BatchProcessor;
  private readonly observers: EngineObserver[];
  private readonly route: 'topic' | 'destination';
  private readonly maxPerRequest: number;
  private readonly maxRecordBytes: number;
  private started = false;
  private stopping = false;
  /** Pipelined sources: per partition, the batches processed and waiting to be sent and committed. */
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: PipelineOptions) {
    this.processor = options.processor ?? new LocalProcessor(options.decoder, options.sourceName, options.trie ?? new PathTrie(), options.tally ?? null);
    this.observers = options.observers ?? [];
    this.route = options.route ?? 'topic';
    this.maxPerRequest = options.maxMessagesPerRequest ?? 5000;
    this.maxRecordBytes = options.maxRecordBytes ?? Infinity;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('pipeline already started');
    this.started = true;
    await this.options.source.start((batch) => this.handleBatch(batch));
  }

  /** Stops consuming (the batches in flight finish, are sent and committed), then closes the sink. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.options.source.pause?.();
      await this.drain();
      await this.options.source.stop();
    } finally {
      await this.processor.close?.();
      await this.options.sink.close();
    }
  }

  async handleBatch(batch: SourceBatch): Promise<void> {
    // When the batch reached the engine: a subject erased after this keeps none of these events.
    const receivedAt = Date.now();
    const lane = batch.redeliver !== undefined ? this.laneOf(batch) : null;
    if (lane !== null) {
      await lane.backoff(batch, () => this.stopping);
      // Stopping during a backoff: leave the batch uncommitted for whoever reads the partition next.
      if (this.stopping) return this.abandon(batch, 'stopping');
    }
    // Captured before processing: a batch delivered before an earlier one failed is abandoned.
    const epoch = lane?.epoch ?? 0;
    const startedAt = process.hrtime.bigint();
    // Read once: a hot reload lands between batches, never in the middle of one.
    const controls = this.options.controls.current;
    const processed = await this.processor.process(controls, batch.messages, async () => {
      if (batch.isStale()) return false;
      await batch.heartbeat();
      return true;
    });
    if (processed === null || batch.isStale()) return this.abandon(batch, 'rebalanced');
    const outputs = this.outputsOf(batch, processed.outcomes, controls.deadLetterTarget, processed.report);
    const stages = {
      // Whether the partition is recovering is read when the delivery starts, after the batches before it.
      deliver: () => this.deliver(batch, processed, outputs, receivedAt, lane?.recovering ?? false),
      settle: () => this.settle(batch, processed, startedAt),
    };
    if (lane === null) {
      await stages.deliver();
      return stages.settle();
    }
    // Pipelined: this batch is sent after the partition's previous one (while that one settles)
    // and committed after it, while the source already reads the next.
    await lane.room();
    if (lane.epoch !== epoch || batch.isStale()) return this.abandon(batch, 'redelivering');
    lane.enqueue(epoch, batch, stages, (err) => this.failed(batch, err));
  }

  /** Resolves once every queued batch has been sent and committed (or has failed). */
  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.lanes.values()].filter((lane) => lane.pending > 0);
      if (busy.length === 0) return;
      await Promise.all(busy.map((lane) => lane.tail));
    }
  }

  private laneOf(batch: SourceBatch): Lane {
    const key = `${batch.topic}\u0000${batch.partition}`;
    let lane = this.lanes.get(key);
    if (lane === undefined) this.lanes.set(key, (lane = new Lane()));
    return lane;
  }

  private failed(batch: SourceBatch, err: unknown): void {
    // The class and code only: a client error can quote a record it could not write.
    const { name, code, type, retriable } = err as { name?: string; code?: string; type?: string; retriable?: boolean };
    this.options.logger.error(
      { topic: batch.topic, partition: batch.partition, err: { name, code, type, retriable } },
      'batch not delivered; the partition is read again from this batch',
    );
    // A stale batch is read again by the partition's current owner, from the committed offset.
    if (batch.isStale()) return;
    batch.redeliver!();
    for (const observer of this.observers) observer.onRedelivery?.({ topic: batch.topic ?? '', partition: batch.partition ?? 0 });
  }

  private outputsOf(batch: SourceBatch, outcomes: readonly MessageOutcome[], deadLetterTarget: string, report: BatchReport): Map<string, OutputMessage[]> {
    const outputs = new Map<string, OutputMessage[]>();
    const deadLetters: OutputMessage[] = [];
    const limit = this.maxRecordBytes;
    for (let i = 0; i < outcomes.length; i++) {
      let outcome = outcomes[i];
      if (outcome === null || outcome === undefined) continue;
      const message = batch.messages[i]!;
      if (Array.isArray(outcome) && anyOverLimit(outcome, limit)) {
        // All or nothing for the event: no destination gets it, the dead-letter target does.
        for (const output of outcome) bump(report.out, output.destination, -1);
        bump(report.deadLettered, OUTPUT_TOO_LARGE.code);
        outcome = OUTPUT_TOO_LARGE;
      }
      if (!Array.isArray(outcome)) {
        const record = deadLetterOf(message, outcome as Failure, Math.max(DEAD_LETTER_HEADROOM, limit - DEAD_LETTER_HEADROOM));
        deadLetters.push(this.options.deadLetterSealer ? this.options.deadLetterSealer.seal(record) : record);
        continue;
      }
      // Outputs keep the input's key (same key → same partition → per-key order) and headers.
      const headers = headersOf(message.headers);
      for (const output of outcome) {
        const target = this.route === 'topic' ? output.topic : output.destination;
        let list = outputs.get(target);
        if (list === undefined) outputs.set(target, (list = []));
        list.push({ key: message.key, value: output.json, headers });
      }
    }
    if (deadLetters.length > 0) {
      const list = outputs.get(deadLetterTarget);
      if (list === undefined) outputs.set(deadLetterTarget, deadLetters);
      else list.push(...deadLetters);
    }
    return outputs;
  }

  /** Sends (and stores) a processed batch. */
  private async deliver(
    batch: SourceBatch,
    processed: ProcessedBatch,
    outputs: Map<string, OutputMessage[]>,
    receivedAt: number,
    recovering: boolean,
  ): Promise<void> {
    const { report } = processed;
    const persistence = this.options.persistence;
    if (persistence === undefined) await this.send(outputs);
    else if (recovering) {
      // A retry after a failure (a database outage, say): store first and send only once stored,
      // so each retry that fails again does not hand the destinations the same outputs again.
      report.stored = await persistence.persist(batch.messages, processed.tap, receivedAt);
      await this.send(outputs);
    } else {
      // Both settle before a failure is reported: a redelivery never overlaps this batch's own send.
      const [sent, stored] = await Promise.allSettled([this.send(outputs), persistence.persist(batch.messages, processed.tap, receivedAt)]);
      if (sent.status === 'rejected') throw sent.reason;
      if (stored.status === 'rejected') throw stored.reason;
      report.stored = stored.value;
    }
  }

  /** After `deliver`: the inventory's counts written, then the commit, then the report. */
  private async settle(batch: SourceBatch, processed: ProcessedBatch, startedAt: bigint): Promise<void> {
    const persistence = this.options.persistence;
    // Last before the commit: a batch failing earlier is redelivered without having been counted.
    await persistence?.record(processed.tap);
    await batch.commit();
    // After the commit nothing may fail the batch (it would be read again, though committed).
    try {
      this.reportCommitted(batch, processed, startedAt);
    } catch (err) {
      this.options.logger.error({ topic: batch.topic, partition: batch.partition, err: { name: (err as Error).name } }, 'reporting a committed batch failed');
    }
  }

  /** After the commit: metrics and observers told. */
  private reportCommitted(batch: SourceBatch, processed: ProcessedBatch, startedAt: bigint): void {
    const { report } = processed;
    report.durationSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    report.source = this.options.sourceName(batch.topic ?? '');
    if (batch.lagAfter && batch.topic !== undefined && batch.partition !== undefined) {
      report.lag = { topic: batch.topic, partition: batch.partition, lag: batch.lagAfter() };
    }
    for (const observer of this.observers) observer.onBatch(report);
    if (report.leaks.size > 0) {
      // Where and what kind, never the value.
      const leaks = leaksOf(report).map(({ destination, source, event, category, classification, path, values }) => ({
        destination,
        source,
        event,
        category,
        classification,
        path,
        values,
      }));
      this.options.logger.warn(
        { topic: batch.topic, partition: batch.partition, leaks },
        'verify: outputs carried values their destination is not approved for',
      );
    }
    if (report.deadLettered.size > 0) {
      this.options.logger.warn(
        { topic: batch.topic, partition: batch.partition, deadLettered: Object.fromEntries(report.deadLettered) },
        'messages dead-lettered',
      );
    }
  }

  private async send(outputs: Map<string, OutputMessage[]>): Promise<void> {
    if (outputs.size === 0) return;
    const sink = this.options.sink;
    const size = this.maxPerRequest;
    const chunks = (messages: OutputMessage[], round: number) =>
      messages.length <= size ? (round === 0 ? messages : []) : messages.slice(round * size, (round + 1) * size);
    let rounds = 0;
    for (const messages of outputs.values()) rounds = Math.max(rounds, Math.ceil(messages.length / size));
    // Chunks of one target go one round after another, so per-key order holds across requests.
    for (let round = 0; round < rounds; round++) {
      const slice: { target: string; messages: OutputMessage[] }[] = [];
      for (const [target, messages] of outputs) {
        const part = chunks(messages, round);
        if (part.length > 0) slice.push({ target, messages: part });
      }
      if (sink.sendMany) await sink.sendMany(slice);
      else await Promise.all(slice.map((part) => sink.send(part.target, part.messages)));
    }
  }

  private abandon(batch: SourceBatch, why: string): void {
    // Not committed: the partition's new owner processes these messages again.
    this.options.logger.info({ topic: batch.topic, partition: batch.partition, messages: batch.messages.length, why }, 'batch abandoned');
  }
}

const OUTPUT_TOO_LARGE: Failure = { code: 'output_too_large', reason: 'an output of this event is over the largest record the destination takes' };
/** Room left in a dead-letter record for its key and headers. */
const DEAD_LETTER_HEADROOM = 16 * 1024;

/** An output over the record limit; a string is measured only when it could be (UTF-8 is at most 3 bytes a unit). */
function anyOverLimit(outputs: ReadonlyArray<{ json: string | Buffer }>, limit: number): boolean {
  for (const { json } of outputs) {
    if (typeof json === 'string' ? json.length * 3 > limit && Buffer.byteLength(json) > limit : json.length > limit) return true;
  }
  return false;
}

function headersOf(headers: Record<string, HeaderValue | undefined>): Record<string, HeaderValue> | undefined {
  for (const _ in headers) return copyHeaders(headers);
  return undefined;
}
