import { createRequire } from 'node:module';
import type * as ConfluentLibrary from '@kafkajs/confluent-schema-registry';
import type { SchemaType } from '@kafkajs/confluent-schema-registry';
import { checkDecoded, unrepresentableNumber } from './decode.js';
import { EventShapeError } from './flatten.js';
import type { EventLimits } from './limits.js';
import { EMPTY_MESSAGE, type EventDecoder, type MessageDecodeResult } from './decoder.js';
import type { InputMessage } from './messages.js';
import { SegmentloomError } from '../core/errors.js';

export interface ConfluentDecoderOptions {
  registryUrl: string;
  auth?: { username: string; password: string };
  clientId?: string;
}

/** The Confluent wire format: magic byte 0x00, a 4-byte big-endian schema id, then the payload. */
const HEADER_BYTES = 5;

interface Decodable {
  fromBuffer(buffer: Buffer): unknown;
}

/**
 * Decodes Confluent-framed Avro and JSON Schema messages through a schema registry (schemas are
 * fetched once per id and cached). Decoded events are normalised to plain JSON so the rest of the
 * pipeline, and every output, is JSON.
 *
 * Classification of failures: a frame that is not Confluent's, a schema id the registry does not
 * know (404), an unsupported schema type or a payload that does not decode are the message's
 * fault → dead letter. A registry that cannot be reached is not → thrown, the batch is retried.
 */
type Schema = { type: SchemaType; schema: Decodable };
const MAX_REMEMBERED = 10_000;
const UNKNOWN_RETRY_MS = 5 * 60_000;

function unknownSchema(id: number): MessageDecodeResult {
  return { ok: false, code: 'unknown_schema', reason: `schema id ${id} is not in the registry` };
}

// Loaded when a registry decoder is made: the client library and its Avro/protobuf dependencies
// are a third of the start-up of commands that never decode a framed message (`scan`, `--help`).
const require = createRequire(import.meta.url);
let library: typeof ConfluentLibrary | null = null;

export function createConfluentDecoder(options: ConfluentDecoderOptions): EventDecoder {
  library ??= require('@kafkajs/confluent-schema-registry') as typeof ConfluentLibrary;
  const { SchemaRegistry, SchemaType } = library;
  const registry = new SchemaRegistry({
    host: options.registryUrl.replace(/\/$/, ''),
    clientId: options.clientId ?? 'segmentloom',
    ...(options.auth ? { auth: options.auth } : {}),
  });
  // Per schema id: the decoder, or the verdict that condemns its messages. The client library
  // caches only schemas it could compile, so an unusable one would otherwise be fetched again
  // for every message. Bounded: cleared when full.
  const resolved = new Map<number, Schema | MessageDecodeResult>();
  // 404s are retried after a while: an id may not be visible on a registry follower yet.
  const unknownUntil = new Map<number, number>();

  async function schemaFor(id: number): Promise<Schema | MessageDecodeResult> {
    const known = resolved.get(id);
    if (known !== undefined) return known;
    const until = unknownUntil.get(id);
    if (until !== undefined && Date.now() < until) return unknownSchema(id);
    let result: Schema | MessageDecodeResult;
    try {
      await registry.getSchema(id);
      const cached = registry.cache.getSchema(id) as { type: SchemaType; schema: unknown } | undefined;
      if (cached === undefined) throw new Error(`schema id ${id} vanished from the registry cache`);
      result = { type: cached.type, schema: cached.schema as Decodable };
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404) {
        if (unknownUntil.size >= MAX_REMEMBERED) unknownUntil.clear();
        unknownUntil.set(id, Date.now() + UNKNOWN_RETRY_MS);
        return unknownSchema(id);
      }
      // Anything else is treated as the registry's trouble, not the message's: mappersmith even
      // reports connection failures as HTTP 400, so only a real 404 may condemn a message.
      if (!(err instanceof Error && err.name === 'ConfluentSchemaRegistryArgumentError')) {
        throw new Error(`schema registry unavailable while fetching schema id ${id}${status ? ` (HTTP ${status})` : ''}`);
      }
      result = { ok: false, code: 'unsupported_schema', reason: `schema id ${id} cannot be used (${err.name})` };
    }
    if (resolved.size >= MAX_REMEMBERED) resolved.clear();
    resolved.set(id, result);
    return result;
  }

  return {
    async decode(message: InputMessage, limits: EventLimits): Promise<MessageDecodeResult> {
      const bytes = message.value;
      if (bytes === null || bytes.length === 0) return EMPTY_MESSAGE;
      if (bytes.length > limits.maxBytes) {
        return { ok: false, code: 'oversized', reason: `event is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit` };
      }
      if (bytes.length < HEADER_BYTES || bytes[0] !== 0) {
        return { ok: false, code: 'bad_wire_format', reason: 'not in the Confluent wire format (magic byte 0x00 + 4-byte schema id)' };
      }
      const id = bytes.readInt32BE(1);
      const found = await schemaFor(id);
      if ('ok' in found) return found;
      if (found.type !== SchemaType.AVRO && found.type !== SchemaType.JSON) {
        return { ok: false, code: 'unsupported_schema', reason: `schema id ${id} is ${found.type}; only Avro and JSON Schema are supported` };
      }
      if (found.type === SchemaType.JSON) {
        // The JSON Schema payload is JSON text parsed by JSON.parse: 1e400 would become Infinity
        // (then null) and 1e-400 0, as for plain JSON input. Same check, same code.
        const unrepresentable = unrepresentableNumber(bytes.subarray(HEADER_BYTES).toString('utf8'));
        if (unrepresentable) return { ok: false, code: 'unrepresentable_number', reason: `JSON Schema payload of schema id ${id}: ${unrepresentable}` };
      }
      let decoded: unknown;
      try {
        decoded = found.schema.fromBuffer(bytes.subarray(HEADER_BYTES));
      } catch (err) {
        // avsc/ajv messages may quote the payload: keep the schema id and the error's class only.
        const kind = found.type === SchemaType.AVRO ? 'Avro' : 'JSON Schema';
        const code =
          found.type === SchemaType.AVRO
            ? 'malformed_avro'
            : (err as Error).name === 'ConfluentSchemaRegistryValidationError'
              ? 'schema_validation'
              : 'malformed_json';
        return { ok: false, code, reason: `payload does not decode as ${kind} schema id ${id} (${(err as Error).name ?? 'Error'})` };
      }
      let plain: unknown;
      try {
        plain = toPlainJson(decoded, limits.maxDepth);
      } catch (err) {
        if (err instanceof EventShapeError) return { ok: false, code: err.shape, reason: err.message };
        if (err instanceof NonFiniteNumberError) return { ok: false, code: 'unrepresentable_number', reason: `payload of schema id ${id}: ${err.message}` };
        return { ok: false, code: 'processing_error', reason: `payload of schema id ${id} could not be converted (${(err as Error).name ?? 'Error'})` };
      }
      return checkDecoded(plain);
    },
  };
}

/** A decoded number JSON cannot carry (NaN, ±Infinity from an Avro double or float). */
export class NonFiniteNumberError extends SegmentloomError {
  constructor() {
    super('SLOOM_ERR_EVENT_SHAPE', 'a decoded number is NaN or infinite, which JSON cannot carry (it would become null)');
    this.name = 'NonFiniteNumberError';
  }
}

/**
 * Avro records are class instances, `bytes` are Buffers, logical types may be Dates or bigints:
 * make everything plain JSON so walking, enforcement and JSON output behave as for JSON input.
 */
export function toPlainJson(value: unknown, maxDepth = Infinity, depth = 0): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    // Avro double/float can carry NaN and ±Infinity; JSON cannot (they would become null).
    if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFiniteNumberError();
    return value;
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.toISOString();
  // Bounded like the flattener: a hostile payload nested 200k deep must not overflow the stack.
  if (depth > maxDepth) throw new EventShapeError('too_deep', `event is nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((item) => toPlainJson(item, maxDepth, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && typeof item !== 'function') out[key] = toPlainJson(item, maxDepth, depth + 1);
  }
  return out;
}
