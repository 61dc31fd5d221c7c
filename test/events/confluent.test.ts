import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/events/index.js';
import { createConfluentDecoder, toPlainJson } from '../../src/events/confluent.js';
import { message } from '../pipeline/helpers.js';

// A stand-in for a Confluent schema registry: GET /schemas/ids/{id} is all decoding needs.
const AVRO_SCHEMA = {
  type: 'record',
  name: 'Track',
  fields: [
    { name: 'type', type: 'string' },
    { name: 'event', type: 'string' },
    { name: 'userId', type: ['null', 'string'], default: null },
    {
      name: 'properties',
      type: {
        type: 'record',
        name: 'Props',
        fields: [
          { name: 'email', type: 'string' },
          { name: 'total', type: 'double' },
          { name: 'blob', type: 'bytes' },
        ],
      },
    },
  ],
};
const JSON_SCHEMA = { type: 'object', properties: { type: { type: 'string' }, event: { type: 'string' } }, required: ['type'] };
const SCHEMAS: Record<number, unknown> = {
  1: { schema: JSON.stringify(AVRO_SCHEMA) },
  2: { schemaType: 'JSON', schema: JSON.stringify(JSON_SCHEMA) },
  4: {
    schema: JSON.stringify({
      type: 'record',
      name: 'L',
      fields: [
        { name: 'type', type: 'string' },
        { name: 'event', type: 'string' },
        { name: 'n', type: 'long' },
      ],
    }),
  },
  3: { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { string a = 1; }' },
};

let server: Server;
let url: string;
let down = false;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const id = Number(/\/schemas\/ids\/(\d+)/.exec(req.url ?? '')?.[1]);
    if (down) return void res.writeHead(503).end('{"message":"unavailable"}');
    const schema = SCHEMAS[id];
    if (!schema) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40403,"message":"Schema not found"}');
    res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(schema));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function frame(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
}

describe('Confluent decoder', () => {
  const avroType = avro.Type.forSchema(AVRO_SCHEMA as avro.Schema);

  it('decodes Avro into plain JSON events', async () => {
    const decoder = createConfluentDecoder({ registryUrl: url });
    const payload = avroType.toBuffer({
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      properties: { email: 'ada@example.com', total: 4.5, blob: Buffer.from('hi') },
    });
    const result = await decoder.decode(message(frame(1, payload)), DEFAULT_LIMITS);
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'track',
        event: 'Order Completed',
        userId: 'u1',
        properties: { email: 'ada@example.com', total: 4.5, blob: Buffer.from('hi').toString('base64') },
      },
    });
    expect(Object.getPrototypeOf((result as { event: { properties: object } }).event.properties)).toBe(Object.prototype);
  });

  it('decodes JSON Schema payloads and dead-letters ones that fail validation', async () => {
    const decoder = createConfluentDecoder({ registryUrl: url });
    const ok = await decoder.decode(message(frame(2, Buffer.from('{"type":"identify","traits":{"email":"a@example.com"}}'))), DEFAULT_LIMITS);
    expect(ok).toMatchObject({ ok: true, event: { type: 'identify' } });
    const invalid = await decoder.decode(message(frame(2, Buffer.from('{"event":"no type"}'))), DEFAULT_LIMITS);
    expect(invalid).toMatchObject({ ok: false, code: 'schema_validation' });
    const broken = await decoder.decode(message(frame(2, Buffer.from('{"type":'))), DEFAULT_LIMITS);
    expect(broken).toMatchObject({ ok: false, code: 'malformed_json' });
  });

  it('dead-letters bad frames, unknown ids, unsupported types and corrupt Avro, with safe reasons', async () => {
    const decoder = createConfluentDecoder({ registryUrl: url });
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('{"type":"track"}'), 'bad_wire_format'],
      [Buffer.from([0, 0, 0]), 'bad_wire_format'],
      [frame(99, Buffer.from('x')), 'unknown_schema'],
      [frame(3, Buffer.from('x')), 'unsupported_schema'],
      [frame(1, Buffer.from([0x02, 0x61, 0xff, 0xff, 0xff])), 'malformed_avro'],
    ];
    for (const [bytes, code] of cases) {
      const result = await decoder.decode(message(bytes), DEFAULT_LIMITS);
      expect(result).toMatchObject({ ok: false, code });
      if (!result.ok) expect(result.reason).not.toMatch(/track|example/);
    }
    // Unknown ids and unusable schemas are remembered: no second request for the same id.
    const before = requests;
    await decoder.decode(message(frame(99, Buffer.from('x'))), DEFAULT_LIMITS);
    expect(await decoder.decode(message(frame(3, Buffer.from('x'))), DEFAULT_LIMITS)).toMatchObject({ ok: false, code: 'unsupported_schema' });
    expect(requests).toBe(before);
  });

  it('dead-letters numbers JSON cannot carry, as for JSON input: Avro NaN/Infinity, JSON Schema 1e400 and 1e-400', async () => {
    const decoder = createConfluentDecoder({ registryUrl: url });
    for (const total of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      const payload = avroType.toBuffer({
        type: 'track',
        event: 'Order Completed',
        userId: 'u1',
        properties: { email: 'ada@example.com', total, blob: Buffer.alloc(0) },
      });
      const result = await decoder.decode(message(frame(1, payload)), DEFAULT_LIMITS);
      expect(result).toMatchObject({
        ok: false,
        code: 'unrepresentable_number',
        reason: 'payload of schema id 1: a decoded number is NaN or infinite, which JSON cannot carry (it would become null)',
      });
    }
    const big = await decoder.decode(message(frame(2, Buffer.from('{"type":"track","properties":{"total":1e400}}'))), DEFAULT_LIMITS);
    expect(big).toMatchObject({
      ok: false,
      code: 'unrepresentable_number',
      reason: expect.stringMatching(/^JSON Schema payload of schema id 2: a number at byte offset 38 is too large/),
    });
    const tiny = await decoder.decode(message(frame(2, Buffer.from('{"type":"track","properties":{"total":1e-400}}'))), DEFAULT_LIMITS);
    expect(tiny).toMatchObject({ ok: false, code: 'unrepresentable_number', reason: expect.stringMatching(/too small for a 64-bit float/) });
    // In a string, not a number: decoded as is.
    expect(await decoder.decode(message(frame(2, Buffer.from('{"type":"track","event":"x","properties":{"total":"1e400"}}'))), DEFAULT_LIMITS)).toMatchObject({
      ok: true,
    });
    // An Avro long past what a double holds exactly would lose precision: refused by the Avro decoder, dead-lettered, never rounded.
    const zigzag = (n: bigint) => {
      let z = (n << 1n) ^ (n >> 63n);
      const out: number[] = [];
      for (; z >= 0x80n; z >>= 7n) out.push(Number(z & 0x7fn) | 0x80);
      out.push(Number(z));
      return Buffer.from(out);
    };
    const track = Buffer.concat([zigzag(5n), Buffer.from('track'), zigzag(1n), Buffer.from('x')]);
    const safeLong = await decoder.decode(message(frame(4, Buffer.concat([track, zigzag(2n ** 52n)]))), DEFAULT_LIMITS);
    expect(safeLong).toMatchObject({ ok: true, event: { n: 2 ** 52 } });
    expect(await decoder.decode(message(frame(4, Buffer.concat([track, zigzag(2n ** 60n + 1n)]))), DEFAULT_LIMITS)).toMatchObject({
      ok: false,
      code: 'malformed_avro',
    });
  });

  it('throws (batch retried) rather than dead-lettering when the registry is unreachable', async () => {
    const decoder = createConfluentDecoder({ registryUrl: url });
    down = true;
    try {
      await expect(decoder.decode(message(frame(2, Buffer.from('{"type":"page"}'))), DEFAULT_LIMITS)).rejects.toThrow(/registry unavailable/);
    } finally {
      down = false;
    }
    const unreachable = createConfluentDecoder({ registryUrl: 'http://127.0.0.1:9' });
    await expect(unreachable.decode(message(frame(1, Buffer.from('x'))), DEFAULT_LIMITS)).rejects.toThrow(/registry unavailable/);
  }, 30_000);

  it('refuses a payload nested past the depth limit instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => toPlainJson({ type: 'track', event: 'x', properties: { deep } }, DEFAULT_LIMITS.maxDepth)).toThrow(/nested deeper than 32 levels/);
    expect(toPlainJson({ a: { b: [1] } }, 3)).toEqual({ a: { b: [1] } });
  });

  it('normalises Avro-ish values to JSON', () => {
    expect(toPlainJson({ d: new Date(0), b: 10n, u: undefined, nested: [Buffer.from([1])] })).toEqual({
      d: '1970-01-01T00:00:00.000Z',
      b: 10,
      nested: ['AQ=='],
    });
    // NaN and ±Infinity have no JSON form: never silently null.
    for (const n of [Number.NaN, Infinity, -Infinity]) expect(() => toPlainJson({ n })).toThrow(/NaN or infinite/);
  });
});
