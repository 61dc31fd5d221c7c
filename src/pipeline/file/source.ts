import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { EventSource, InputMessage, SourceBatch } from '../../events/index.js';
import { TRUNCATED_HEADER } from '../../events/index.js';
import { byteLines, isBlank } from './lines.js';

export interface FileSourceOptions {
  /** An NDJSON file, or `-` for `stdin`. */
  path: string;
  /** Lines per batch. */
  batchSize?: number;
  /** Used for `-`; process.stdin by default. */
  stdin?: Readable;
  /** The name messages carry as their "topic" (the source name resolver sees it). */
  topic?: string;
  /**
   * Longest line kept whole, in bytes (default 16 MiB). A longer line is passed on with its first
   * `maxLineBytes` bytes and the header `x-segmentloom-truncated-from` giving its full length; being
   * over the event size limit, it is dead-lettered like any oversized event.
   */
  maxLineBytes?: number;
}

/**
 * Newline-delimited JSON from a file or stdin, in batches of N lines. Each line is passed on as
 * the exact bytes it had (a dead-lettered line can be replayed as it was). Offsets are 1-based
 * line numbers, so a dead-letter record points at the line it came from. The next batch is read
 * only after the previous one is handled (backpressure through the line iterator).
 */
export class FileSource implements EventSource {
  readonly finished: Promise<void>;
  readonly topic: string;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: unknown) => void;
  private stopping = false;
  private input: Readable | null = null;
  /** Lines read so far (including blank ones): what a restart could skip. */
  committedLines = 0;

  constructor(private readonly options: FileSourceOptions) {
    this.topic = options.topic ?? (options.path === '-' ? 'stdin' : basename(options.path));
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // A rejection nobody awaited yet must not crash the process before `run` awaits it.
    this.finished.catch(() => {});
  }

  ready(): boolean {
    return this.input !== null;
  }

  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const input = this.options.path === '-' ? (this.options.stdin ?? process.stdin) : createReadStream(this.options.path);
    // Open errors (missing file) surface here, before consuming "has begun".
    if (this.options.path !== '-') {
      const emitter = input as NodeJS.EventEmitter;
      await new Promise<void>((resolve, reject) => {
        emitter.once('open', () => resolve());
        emitter.once('error', reject);
      });
    }
    this.input = input;
    this.consume(input, onBatch).then(this.resolveFinished, this.rejectFinished);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.finished.catch(() => {});
  }

  private async consume(input: Readable, onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const size = this.options.batchSize ?? 500;
    const lines = byteLines(input as AsyncIterable<Buffer | string>, this.options.maxLineBytes ?? 16 * 1024 * 1024);
    let messages: InputMessage[] = [];
    let lineNo = 0;
    const flush = async () => {
      const batch = messages;
      messages = [];
      const last = lineNo;
      await onBatch({
        messages: batch,
        commit: async () => {
          this.committedLines = last;
        },
        heartbeat: async () => {},
        isStale: () => false,
        topic: this.topic,
        partition: 0,
      });
    };
    try {
      for await (const line of lines) {
        lineNo++;
        if (line.truncatedFrom === undefined && isBlank(line.bytes)) continue;
        messages.push({
          topic: this.topic,
          partition: 0,
          offset: String(lineNo),
          key: null,
          value: line.bytes,
          headers: line.truncatedFrom === undefined ? {} : { [TRUNCATED_HEADER]: String(line.truncatedFrom) },
          timestamp: String(Date.now()),
        });
        if (messages.length >= size) await flush();
        if (this.stopping) break;
      }
      if (messages.length > 0) await flush();
    } finally {
      await lines.return(undefined);
      if (input !== process.stdin) input.destroy();
    }
  }
}
