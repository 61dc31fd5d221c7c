import { describe, expect, it } from 'vitest';
import { splitBySize } from '../../src/pipeline/kafka/sink.js';

const msg = (n: number, key = 'k') => ({ key, value: Buffer.alloc(n) });

describe('splitBySize', () => {
  it('packs messages in order into requests under the byte limit', () => {
    const requests = splitBySize(
      [
        { target: 'a', messages: [msg(400), msg(400), msg(400)] },
        { target: 'b', messages: [msg(100)] },
      ],
      1000,
    );
    expect(requests.map((r) => r.map((p) => `${p.target}:${p.messages.length}`))).toEqual([['a:2'], ['a:1', 'b:1']]);
  });

  it('gives an oversized message a request of its own', () => {
    const requests = splitBySize([{ target: 'a', messages: [msg(10), msg(5000), msg(10)] }], 1000);
    expect(requests.map((r) => r[0]!.messages.length)).toEqual([1, 1, 1]);
  });

  it('keeps everything in one request when it fits', () => {
    expect(
      splitBySize(
        [
          { target: 'a', messages: [msg(10), msg(10)] },
          { target: 'b', messages: [msg(10)] },
        ],
        10_000,
      ),
    ).toHaveLength(1);
    expect(splitBySize([], 100)).toEqual([]);
  });
});
