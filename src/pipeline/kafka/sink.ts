import type { OutputMessage } from '../../events/index.js';

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
