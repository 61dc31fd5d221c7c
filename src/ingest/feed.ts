import type { EventSink, EventSource, InputMessage, OutputMessage, SourceBatch } from '../events/index.js';
import { BrokerUnavailable } from './produce-queue.js';

/**
 * The embedded mode's broker: the ingest's sink and the pipeline's source at once. Each send is
 * one batch handed to the pipeline, and resolves when the pipeline commits it — after its outputs
 * are written — so a 200 still means the event went through, as with acks=all on Kafka.
 */
export class PipelineFeed implements EventSink, EventSource {
  private onBatch: ((batch: SourceBatch) => Promise<void>) | null = null;
  private chain: Promise<void> = Promise.resolve();
  private offset = 0;

  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    this.onBatch = onBatch;
  }

  async stop(): Promise<void> {
    await this.chain;
    this.onBatch = null;
  }

  ready(): boolean {
    return this.onBatch !== null;
  }

  /** One batch at a time, in order, like a partition. */
  send(target: string, messages: OutputMessage[]): Promise<void> {
    const run = this.chain.then(() => this.deliver(target, messages));
    this.chain = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {}

  private deliver(target: string, outputs: OutputMessage[]): Promise<void> {
    const onBatch = this.onBatch;
    if (onBatch === null) return Promise.reject(new BrokerUnavailable('the pipeline is not running'));
    const timestamp = String(Date.now());
    const messages: InputMessage[] = outputs.map((m) => ({
      topic: target,
      partition: 0,
      offset: String(this.offset++),
      key: m.key === null ? null : Buffer.from(m.key),
      value: m.value === null ? null : Buffer.from(m.value),
      headers: {},
      timestamp,
    }));
    return new Promise<void>((resolve, reject) => {
      let committed = false;
      const batch: SourceBatch = {
        messages,
        commit: async () => {
          committed = true;
        },
        heartbeat: async () => {},
        isStale: () => false,
      };
      onBatch(batch).then(() => (committed ? resolve() : reject(new BrokerUnavailable('the pipeline did not complete the batch'))), reject);
    });
  }
}
