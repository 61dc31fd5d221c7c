/**
 * The seams between the pipeline loop and the outside world. Kafka, files and anything else plug
 * in here; the loop never imports a client library.
 */

/** Kafka allows a header name more than once; kafkajs then decodes an array. */
export type HeaderValue = Buffer | string | (Buffer | string)[];

/** One raw input record, exactly as it arrived (bytes kept for the dead-letter path). */
export interface InputMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Read-only: may be the client's own object, shared with other messages when empty. */
  headers: Readonly<Record<string, HeaderValue | undefined>>;
  /** Broker/producer timestamp in epoch millis, as a string (Kafka's convention). */
  timestamp: string;
}

/** A batch handed to the loop. The source commits only when `commit()` is called. */
export interface SourceBatch {
  messages: InputMessage[];
  /** Marks every message of the batch processed; called only after all outputs are acknowledged. */
  commit(): Promise<void>;
  /** Keeps group membership alive during long batches. */
  heartbeat(): Promise<void>;
  /** True when a rebalance took the partition away: the loop should stop work on this batch. */
  isStale(): boolean;
  /** Kafka sources: where the batch came from and how far behind the partition's end it is. */
  topic?: string;
  partition?: number;
  /** Messages still after this batch once it is committed (high watermark − next offset). */
  lagAfter?(): number;
  /**
   * Pipelining sources (Kafka): when present, the loop may return from `onBatch` as soon as the
   * batch is processed and its outputs are queued, and send + commit it in the background while
   * the source delivers the partition's next batch. The source then moves its read position past
   * the batch when `onBatch` returns, commits only on `commit()`, and on `redeliver()` (a send
   * failed) rewinds the partition to this batch's first message; later batches of the partition
   * already delivered are abandoned by the loop, uncommitted.
   */
  redeliver?(): void;
}

export interface EventSource {
  /** Starts delivering batches; resolves once consuming has begun. Batches are delivered one at a time per partition. */
  start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void>;
  /** Stops fetching, lets the batch in flight finish and commit, then disconnects. */
  stop(): Promise<void>;
  /**
   * Pipelining sources: stop delivering batches and resolve once no `onBatch` call is running,
   * still connected, so the loop can send and commit what it has queued before `stop()`.
   */
  pause?(): Promise<void>;
  /** Finite sources (files, stdin): settles when the input is exhausted and every batch is handled. */
  readonly finished?: Promise<void>;
  /** True once the source is consuming (Kafka: the group was joined and partitions assigned). */
  ready?(): boolean;
}

export interface OutputMessage {
  key: Buffer | string | null;
  /** null only when dead-lettering an input that had no value (a tombstone). */
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

/** A destination writer: Kafka topics, NDJSON files, … `send` resolves when the outputs are durable/acknowledged. */
export interface EventSink {
  send(target: string, messages: OutputMessage[]): Promise<void>;
  /** Several targets at once (Kafka: one produce request per broker instead of one per topic). */
  sendMany?(batches: { target: string; messages: OutputMessage[] }[]): Promise<void>;
  close(): Promise<void>;
}
