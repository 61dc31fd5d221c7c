// What a worker hands back: outputs encoded once into one transferable buffer, read back as views.
import { describe, expect, it } from 'vitest';
import type { MessageOutcome } from '../../src/pipeline/processor.js';
import { packOutcomes, unpackOutcomes, unpackStored } from '../../src/pipeline/worker/outcomes.js';

const wh = (json: string) => ({ destination: 'warehouse', topic: 'wh', json });
const ads = (json: string) => ({ destination: 'ads', topic: 'ads-topic', json });

describe('packOutcomes / unpackOutcomes', () => {
  it('round-trips outputs, dead letters and messages written nowhere, in message order', () => {
    const outcomes: MessageOutcome[] = [
      [wh('{"a":1}'), ads('{"a":"hmac:v1:x"}')],
      null,
      { code: 'malformed_json', reason: 'invalid JSON at position 3' },
      [ads('{"name":"Zoë 🚀"}')],
    ];
    const back = unpackOutcomes(packOutcomes(outcomes));
    expect(back).toHaveLength(4);
    const text = (o: MessageOutcome) =>
      (o as Array<{ destination: string; topic: string; json: Buffer }>).map((out) => ({ ...out, json: out.json.toString('utf8') }));
    expect(text(back[0]!)).toEqual(outcomes[0]);
    expect(back[1]).toBeNull();
    expect(back[2]).toEqual({ code: 'malformed_json', reason: 'invalid JSON at position 3' });
    expect(text(back[3]!)).toEqual(outcomes[3]);
  });

  it('writes a document shared by several destinations once', () => {
    const doc = JSON.stringify({ event: 'x', padding: 'y'.repeat(100) });
    const packed = packOutcomes([[wh(doc), ads(doc)]]);
    expect(packed.bytes.byteLength).toBe(Buffer.byteLength(doc));
    const [out] = unpackOutcomes(packed) as unknown as Array<Array<{ json: Buffer }>>;
    expect(out!.map((o) => o.json.toString())).toEqual([doc, doc]);
  });

  it("carries the event store's texts, sharing the bytes of an output that is the same text", () => {
    const plain = JSON.stringify({ event: 'x', email: 'a@b.test', padding: 'y'.repeat(100) });
    const hashed = '{"event":"x","email":"hmac:v1:z"}';
    const own = JSON.stringify({ event: 'only stored', name: 'Zoë' });
    const outcomes: MessageOutcome[] = [[wh(plain), ads(hashed)], { code: 'malformed_json', reason: 'r' }, [ads(hashed)], null];
    // Message 0 stores the text its warehouse output is; message 2 one no output is; message 3 none (stored whole).
    const packed = packOutcomes(outcomes, { indexes: [0, 2, 3], json: [plain, own, null] });
    // Consecutive outputs with one document (messages 0 and 2 to ads) share it too.
    expect(packed.bytes.byteLength).toBe(Buffer.byteLength(plain) + Buffer.byteLength(hashed) + Buffer.byteLength(own));
    const stored = unpackStored(packed);
    expect(stored.map((b) => (b === null ? null : b.toString('utf8')))).toEqual([plain, own, null]);
    const [first] = unpackOutcomes(packed) as unknown as Array<Array<{ json: Buffer }>>;
    // One copy of the bytes for the output and the store.
    expect(stored[0]!.byteOffset).toBe(first![0]!.json.byteOffset);
  });

  it('packs into a buffer of its own that can be transferred', () => {
    const packed = packOutcomes([[wh('{"a":1}')]]);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed.bytes, packed.index.buffer as ArrayBuffer]);
    expect(packed.bytes.byteLength).toBe(0);
    port1.close();
    port2.close();
  });
});
