/** One line of an NDJSON input, as the bytes it had (no decoding, no newline). */
export interface ByteLine {
  bytes: Buffer;
  /** Set when the line was longer than the cap: its full length in bytes (only the first `cap` are kept). */
  truncatedFrom?: number;
}

const LF = 10;
const CR = 13;

/**
 * Splits a byte stream into lines on LF (a CR before it is dropped too), keeping each line's exact
 * bytes — invalid UTF-8 included, so a dead-lettered line can be replayed as it was. A line longer
 * than `cap` keeps its first `cap` bytes and reports its full length: one huge line cannot exhaust
 * memory. Pulls chunks only as lines are consumed (the stream's backpressure holds).
 */
export async function* byteLines(input: AsyncIterable<Buffer | string>, cap: number): AsyncGenerator<ByteLine> {
  let parts: Buffer[] = [];
  let kept = 0;
  let total = 0;
  const finish = (): ByteLine => {
    let bytes = parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts, kept);
    const truncated = total > kept;
    if (!truncated && bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    const line: ByteLine = truncated ? { bytes, truncatedFrom: total } : { bytes };
    parts = [];
    kept = 0;
    total = 0;
    return line;
  };
  let pending = false;
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, start);
      const end = newline < 0 ? chunk.length : newline;
      if (end > start) {
        total += end - start;
        pending = true;
        if (kept < cap) {
          const take = Math.min(end - start, cap - kept);
          parts.push(chunk.subarray(start, start + take));
          kept += take;
        }
      }
      if (newline < 0) break;
      yield finish();
      pending = false;
      start = newline + 1;
    }
  }
  // A last line without a newline.
  if (pending) yield finish();
}

/** True when the line holds only spaces, tabs and CRs. */
export function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 32 && b !== 9 && b !== CR) return false;
  }
  return true;
}
