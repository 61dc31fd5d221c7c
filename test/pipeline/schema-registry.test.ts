// Smoke test for the test schema registry (test/setup/registry.global.ts: Apicurio Registry's
// Confluent-compatible API): @kafkajs/confluent-schema-registry registers schemas, encodes to the
// Confluent wire format (0x00, 4-byte big-endian schema id, payload) and decodes back.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { expect, it } from 'vitest';
import { describeRegistry, registryUrl } from '../helpers/registry.js';

describeRegistry('test schema registry (Confluent API)', () => {
  const subject = (name: string): string => `smoke-${name}-${randomUUID()}-value`;

  it('round-trips an Avro record through the Confluent wire format', async () => {
    const registry = new SchemaRegistry({ host: registryUrl() });
    const schema = {
      type: 'record',
      name: 'Track',
      namespace: 'dev.segmentloom.smoke',
      fields: [
        { name: 'event', type: 'string' },
        { name: 'userId', type: ['null', 'string'], default: null },
        { name: 'seq', type: 'int' },
      ],
    };
    const s = subject('avro');
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: s });
    expect(id).toBeGreaterThan(0);
    expect(await registry.getLatestSchemaId(s)).toBe(id);

    const payload = { event: 'Order Completed', userId: 'u-1', seq: 7 };
    const encoded = await registry.encode(id, payload);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);

    // A fresh client has no cache: decode must fetch GET /schemas/ids/:id from the registry.
    const fresh = new SchemaRegistry({ host: registryUrl() });
    expect(await fresh.decode(encoded)).toEqual(payload);
  });

  it('round-trips a JSON Schema message', async () => {
    const registry = new SchemaRegistry({ host: registryUrl() });
    const schema = {
      type: 'object',
      properties: { email: { type: 'string' }, plan: { type: 'string' } },
      required: ['email'],
    };
    const { id } = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(schema) }, { subject: subject('json') });
    const encoded = await registry.encode(id, { email: 'a@example.com', plan: 'pro' });
    expect(encoded.readInt32BE(1)).toBe(id);
    const fresh = new SchemaRegistry({ host: registryUrl() });
    expect(await fresh.decode(encoded)).toEqual({ email: 'a@example.com', plan: 'pro' });
  });
});
