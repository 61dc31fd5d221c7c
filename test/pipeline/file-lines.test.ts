// Splitting NDJSON input into lines as bytes: exact content, any chunking, bounded memory.
import { describe, expect, it } from 'vitest';
import { byteLines, isBlank } from '../../src/pipeline/file/lines.js';

async function collect(chunks: Array<Buffer | string>, cap = 1024) {
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const lines = [];
  for await (const line of byteLines(source(), cap)) lines.push(line);
  return lines;
}

describe('byteLines', () => {
  it('splits on LF, drops a CR before it, and yields a last line without a newline', async () => {
    const lines = await collect(['a\r\nbb\n', 'ccc']);
    expect(lines.map((l) => l.bytes.toString())).toEqual(['a', 'bb', 'ccc']);
  });

  it('gives the same lines however the input is chunked, including inside a multi-byte character', async () => {
    const text = Buffer.from('{"name":"Zoë"}\n{"x":"🚀"}\n\n{"y":1}\n');
    const whole = await collect([text]);
    for (const size of [1, 2, 3, 7]) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
      expect((await collect(chunks)).map((l) => l.bytes)).toEqual(whole.map((l) => l.bytes));
    }
    expect(whole.map((l) => l.bytes.toString())).toEqual(['{"name":"Zoë"}', '{"x":"🚀"}', '', '{"y":1}']);
  });

  it('keeps bytes that are not valid UTF-8 as they are', async () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const [line] = await collect([Buffer.concat([raw, Buffer.from('\n')])]);
    expect(line!.bytes).toEqual(raw);
  });

  it('keeps only the first `cap` bytes of a longer line and reports its full length', async () => {
    const long = 'x'.repeat(5000);
    const lines = await collect([`${long.slice(0, 3000)}`, `${long.slice(3000)}\nshort\n`], 100);
    expect(lines[0]!.bytes.toString()).toBe('x'.repeat(100));
    expect(lines[0]!.truncatedFrom).toBe(5000);
    expect(lines[1]).toEqual({ bytes: Buffer.from('short') });
  });

  it('does not hold on to the chunk a short line came from', async () => {
    const chunk = Buffer.from(`abc\n${'z'.repeat(10_000)}`);
    const [line] = await collect([chunk]);
    expect(line!.bytes.buffer).not.toBe(chunk.buffer);
  });
});

describe('isBlank', () => {
  it('is true for spaces, tabs and CRs only', () => {
    expect(isBlank(Buffer.from(' \t\r'))).toBe(true);
    expect(isBlank(Buffer.from(''))).toBe(true);
    expect(isBlank(Buffer.from(' {} '))).toBe(false);
  });
});
