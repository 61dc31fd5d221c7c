import { SegmentloomError } from '../core/errors.js';
import type { EventSink, OutputMessage } from '../events/index.js';

/** The broker did not acknowledge in time, or refused: answer 503 and let the client retry. */
export class BrokerUnavailable extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_BROKER_UNAVAILABLE', message);
    this.name = 'BrokerUnavailable';
  }
}

/** More is waiting for the broker than the ingest holds: answer 429 and let the client back off. */
export class Backpressure extends SegmentloomError {
  constructor() {
    super('SLOOM_ERR_BACKPRESSURE', 'too much is waiting for the broker');
    this.name = 'Backpressure';
  }
}

interface Pending {
  target: string;
  messages: OutputMessage[];
  bytes: number;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Hands requests' records to the sink (acks=all: `send` resolves once the broker has them). One
 * send at a time: what arrives meanwhile waits and goes in the next send, all requests together,
 * so a busy ingest makes few large produce requests (and one key's records stay in order).
 */
export class ProduceQueue {
  private pending: Pending[] = [];
  private sending = false;
  /** Bytes accepted for producing and not yet acknowledged or failed. */
  queuedBytes = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly maxQueuedBytes: number,
  ) {}

  /** Resolves when the broker has the messages; throws Backpressure at once when full. */
  produce(target: string, messages: OutputMessage[], bytes: number): Promise<void> {
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) return Promise.reject(new Backpressure());
    this.queuedBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ target, messages, bytes, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.pending.length > 0) {
      const round = this.pending;
      this.pending = [];
      const byTarget = new Map<string, OutputMessage[]>();
      for (const p of round) {
        const list = byTarget.get(p.target);
        if (list === undefined) byTarget.set(p.target, p.messages.slice());
        else for (const m of p.messages) list.push(m);
      }
      const batches = [...byTarget].map(([target, messages]) => ({ target, messages }));
      try {
        if (this.sink.sendMany) await this.sink.sendMany(batches);
        else for (const b of batches) await this.sink.send(b.target, b.messages);
        for (const p of round) p.resolve();
      } catch (err) {
        for (const p of round) p.reject(err);
      } finally {
        for (const p of round) this.queuedBytes -= p.bytes;
      }
    }
    this.sending = false;
  }
}

/** Waits for `produced` at most `ms`: past it, BrokerUnavailable (the produce itself goes on). */
export function withinTime(produced: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrokerUnavailable(`the broker did not acknowledge within ${ms} ms`)), ms);
  });
  return Promise.race([produced, timeout]).finally(() => clearTimeout(timer));
}
