import { randomUUID } from 'node:crypto';
import { SegmentloomError } from '../core/errors.js';
import { isoTime, parseIsoTime } from './time.js';

/**
 * Segment messages as the HTTP Tracking API takes them, made into the records the pipeline reads.
 * The parsed body is ours, so items are completed in place (no copies on the hot path).
 *
 * Timestamps follow Segment: `receivedAt` is when the ingest got the request; a client's
 * `timestamp` is kept as `originalTimestamp` and, when the client also says when it sent the
 * request (`sentAt`), corrected for its clock's skew: timestamp = receivedAt − (sentAt −
 * originalTimestamp). Without a client timestamp, `timestamp` is `receivedAt`.
 */

export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
const TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES);

/** Longest messageId (Segment: under 100 characters). */
export const MAX_MESSAGE_ID = 99;
/**
 * The event size limit counts the event as the client sent it. Fields the ingest adds (receivedAt,
 * originalTimestamp, a generated messageId, context.ip) are allowed for on top, up to this much.
 */
const ADDED_BYTES = 512;

/** A payload the ingest refuses: always a 400, with a message naming what is wrong (never a value). */
export class InvalidPayload extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_INGEST_PAYLOAD', message);
    this.name = 'InvalidPayload';
  }
}

export interface IngestRecord {
  /** userId, else anonymousId: Kafka's partition key, so one user's events stay in order. */
  key: string;
  value: string;
  messageId: string;
  /** The value's size for the produce queue's accounting: UTF-8 bytes near the event limit, else UTF-16 units. */
  bytes: number;
}

export interface RequestFacts {
  /** When the request arrived (epoch millis). */
  receivedAt: number;
  /** The same as an ISO string, made once per request (set by recordsOf). */
  receivedAtIso?: string;
  /** The client's address, when the source collects it; null otherwise. */
  ip: string | null;
  maxEventBytes: number;
  /** A batch's `sentAt` parsed once for all its items (set by recordsOf). */
  batchSentAt?: { raw: unknown; ms: number | null };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function identity(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function parseTime(value: unknown, field: string, where: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'string' ? parseIsoTime(value) : NaN;
  if (Number.isNaN(ms)) throw new InvalidPayload(`${where}${field}: expected an ISO-8601 date`);
  return ms;
}

/**
 * Validates and completes one message. `type` is the endpoint's (`/v1/track`) or, in a batch, the
 * item's own. `shared` holds a batch's `context`, `integrations` and `sentAt`, merged into the
 * item (the item's own fields win).
 */
export function toRecord(item: unknown, type: unknown, shared: Json | null, facts: RequestFacts, where: string): IngestRecord {
  if (!isObject(item)) throw new InvalidPayload(`${where || 'body'}: expected a JSON object`);
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw new InvalidPayload(`${where}type: expected one of ${MESSAGE_TYPES.join(', ')}`);
  }
  item.type = type;
  // The write key authenticated the request; it is not event data and never reaches a topic.
  if ('writeKey' in item) delete item.writeKey;

  const key = identity(item.userId) ?? identity(item.anonymousId);
  if (key === null) throw new InvalidPayload(`${where}userId or anonymousId: one of them is required (a non-empty string)`);
  if (type === 'track' && (typeof item.event !== 'string' || item.event === '')) throw new InvalidPayload(`${where}event: a track call needs the event name`);
  if (type === 'group' && identity(item.groupId) === null) throw new InvalidPayload(`${where}groupId: a group call needs it`);
  if (type === 'alias' && identity(item.previousId) === null) throw new InvalidPayload(`${where}previousId: an alias call needs it`);

  let messageId = item.messageId;
  if (messageId === undefined || messageId === null) {
    messageId = item.messageId = `ingest-${randomUUID()}`;
  } else if (typeof messageId !== 'string' || messageId === '' || messageId.length > MAX_MESSAGE_ID) {
    throw new InvalidPayload(`${where}messageId: expected a string of 1 to ${MAX_MESSAGE_ID} characters`);
  }

  if (shared !== null) {
    if (isObject(shared.context)) item.context = isObject(item.context) ? { ...shared.context, ...item.context } : { ...shared.context };
    if (isObject(shared.integrations))
      item.integrations = isObject(item.integrations) ? { ...shared.integrations, ...item.integrations } : { ...shared.integrations };
    if (item.sentAt === undefined && shared.sentAt !== undefined) item.sentAt = shared.sentAt;
  }
  if (item.context !== undefined && !isObject(item.context)) throw new InvalidPayload(`${where}context: expected a JSON object`);
  if (facts.ip !== null) {
    const context = (item.context as Json | undefined) ?? (item.context = {});
    if (context.ip === undefined) context.ip = facts.ip;
  }

  const original = parseTime(item.timestamp, 'timestamp', where);
  const batchSentAt = facts.batchSentAt;
  const sentAt = batchSentAt !== undefined && item.sentAt === batchSentAt.raw ? batchSentAt.ms : parseTime(item.sentAt, 'sentAt', where);
  const received = facts.receivedAt;
  item.receivedAt = facts.receivedAtIso ??= isoTime(received);
  if (original === null) {
    item.timestamp = item.receivedAt;
  } else {
    item.originalTimestamp = item.timestamp;
    if (sentAt !== null) item.timestamp = isoTime(received - (sentAt - original));
  }

  const value = JSON.stringify(item);
  // A UTF-8 byte is at most 3 per UTF-16 unit: only an event that could be near the limit is counted.
  const limit = facts.maxEventBytes + ADDED_BYTES;
  const bytes = value.length * 3 <= limit ? value.length : Buffer.byteLength(value);
  if (bytes > limit) throw new InvalidPayload(`${where || 'event'}: larger than ${facts.maxEventBytes} bytes`);
  return { key, value, messageId: messageId as string, bytes };
}

/** The records of a request to `/v1/<type>` (one) or `/v1/batch` (many). */
export function recordsOf(route: MessageType | 'batch', body: unknown, facts: RequestFacts, maxEvents: number): IngestRecord[] {
  if (!isObject(body)) throw new InvalidPayload('body: expected a JSON object');
  if (route !== 'batch') return [toRecord(body, route, null, facts, '')];
  const batch = body.batch;
  if (!Array.isArray(batch)) throw new InvalidPayload('batch: expected an array of messages');
  if (batch.length > maxEvents) throw new InvalidPayload(`batch: more than ${maxEvents} messages`);
  const shared = body.context !== undefined || body.integrations !== undefined || body.sentAt !== undefined ? body : null;
  if (shared && body.context !== undefined && !isObject(body.context)) throw new InvalidPayload('context: expected a JSON object');
  if (shared !== null && typeof shared.sentAt === 'string') facts.batchSentAt = { raw: shared.sentAt, ms: parseTime(shared.sentAt, 'sentAt', '') };
  const records = new Array<IngestRecord>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const item = batch[i];
    records[i] = toRecord(item, isObject(item) ? item.type : undefined, shared, facts, `batch.${i}.`);
  }
  return records;
}
