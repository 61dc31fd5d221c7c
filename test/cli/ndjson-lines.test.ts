import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachLine } from '../../src/cli/ndjson-lines.js';

async function lines(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  await forEachLine(Readable.from(chunks, { objectMode: true }), (line) => out.push(line));
  return out;
}

/** What `segmentloom scan` read lines with before, and still must match. */
async function readlineLines(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks, { objectMode: true }), crlfDelay: Infinity })) out.push(line);
  return out;
}

/** `text` as UTF-8 bytes cut at the given offsets (a cut may fall inside a character). */
function cut(text: string, offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of at) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

describe('forEachLine', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r, across chunk boundaries', async () => {
    expect(await lines(['{"a":1}\r', '\n{"b":2}\n\n{"c"', ':3}\rlast'])).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}', 'last']);
    expect(await lines(['x\r'])).toEqual(['x']);
    expect(await lines(['x\r\r'])).toEqual(['x', '']);
    expect(await lines([''])).toEqual([]);
  });

  it('decodes a character split between chunks whole', async () => {
    const bytes = Buffer.from('{"name":"Zoë 😀"}\n', 'utf8');
    expect(await lines([bytes.subarray(0, 12), bytes.subarray(12, 15), bytes.subarray(15)])).toEqual(['{"name":"Zoë 😀"}']);
  });

  it('yields exactly what node:readline (crlfDelay: Infinity) yields, for any text and any chunking', async () => {
    const text = fc.array(fc.constantFrom('a', '{', '"', 'é', '😀', '\r', '\n', '\r\n', ' '), { maxLength: 40 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(200), { maxLength: 6 }), async (t, offsets) => {
        const chunks = cut(t, offsets);
        expect(await lines(chunks)).toEqual(await readlineLines(chunks));
      }),
      { numRuns: 500 },
    );
  });
});
