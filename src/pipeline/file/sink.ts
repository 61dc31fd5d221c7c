import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { RotatingFile, type RotationOptions } from './rotate.js';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import type { EventSink, HeaderValue, OutputMessage } from '../../events/index.js';

export interface NdjsonFileSinkOptions {
  dir: string;
  /**
   * Targets written as envelopes `{ key, headers, value, valueEncoding }` instead of bare values:
   * the dead-letter file, whose records need their headers (reason, code, offset).
   */
  envelopeTargets?: Iterable<string>;
  /** Append to existing files instead of starting them afresh. */
  append?: boolean;
  /**
   * Targets whose file is rotated past a size and whose rotated files are deleted past an age (the
   * dead-letter file). An existing file of such a target is rotated away at start, never truncated.
   */
  rotate?: ReadonlyMap<string, RotationOptions>;
}

/** One NDJSON file per target (`<dir>/<target>.ndjson`). `send` resolves once the OS has the bytes. */
export class NdjsonFileSink implements EventSink {
  private readonly streams = new Map<string, WriteStream | RotatingFile>();
  private readonly envelopes: Set<string>;
  private closed = false;

  constructor(private readonly options: NdjsonFileSinkOptions) {
    this.envelopes = new Set(options.envelopeTargets ?? []);
    mkdirSync(options.dir, { recursive: true });
  }

  /** The file a target is written to. */
  fileOf(target: string): string {
    return join(this.options.dir, `${target.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson`);
  }

  /** Targets written so far, with their files. */
  get files(): Map<string, string> {
    return new Map([...this.streams.keys()].map((target) => [target, this.fileOf(target)]));
  }

  async send(target: string, messages: OutputMessage[]): Promise<void> {
    if (this.closed) throw new Error('sink is closed');
    if (messages.length === 0) return;
    const stream = this.streamFor(target);
    const envelope = this.envelopes.has(target);
    let text = '';
    for (const message of messages) text += `${envelope ? envelopeOf(message) : valueText(message.value)}\n`;
    if (stream instanceof RotatingFile) return stream.write(text);
    await new Promise<void>((resolve, reject) => {
      stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.streams.values()].map((stream) =>
        stream instanceof RotatingFile
          ? stream.close()
          : new Promise<void>((resolve, reject) => {
              stream.once('error', reject);
              stream.end(() => resolve());
            }),
      ),
    );
  }

  private streamFor(target: string): WriteStream | RotatingFile {
    let stream = this.streams.get(target);
    const rotation = this.options.rotate?.get(target);
    if (stream === undefined && rotation !== undefined) {
      stream = new RotatingFile(this.fileOf(target), rotation);
      this.streams.set(target, stream);
    } else if (stream === undefined) {
      stream = createWriteStream(this.fileOf(target), { flags: this.options.append ? 'a' : 'w' });
      this.streams.set(target, stream);
    }
    return stream;
  }
}

function valueText(value: OutputMessage['value']): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? value : value.toString('utf8');
}

function bytesText(value: Buffer | string | null): { text: string | null; encoding: 'utf8' | 'base64' } {
  if (value === null || typeof value === 'string') return { text: value, encoding: 'utf8' };
  return isUtf8(value) ? { text: value.toString('utf8'), encoding: 'utf8' } : { text: value.toString('base64'), encoding: 'base64' };
}

function envelopeOf(message: OutputMessage): string {
  const headers: Record<string, string | string[]> = {};
  const text = (v: Buffer | string) => (typeof v === 'string' ? v : v.toString('utf8'));
  for (const [name, value] of Object.entries(message.headers ?? {}) as [string, HeaderValue][]) {
    headers[name] = Array.isArray(value) ? value.map(text) : text(value);
  }
  const value = bytesText(message.value);
  return JSON.stringify({ key: bytesText(message.key).text, headers, value: value.text, valueEncoding: value.encoding });
}
