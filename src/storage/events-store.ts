import { createHash, randomUUID } from 'node:crypto';
import { eventName, subjectOf, type SegmentEvent } from '../events/index.js';
import type { SealedRun } from './crypto/aead.js';
import type { DataKeys } from './crypto/data-keys.js';
import { ANONYMOUS_SUBJECT, type SubjectHasher } from './crypto/lookup.js';
import type { Db } from './db.js';
import { sealEventRows, type EventColumns } from './event-seal.js';
import { emptyProfile, identifyTime, mergeProfiles, mergeTraits, type ProfileDoc } from './profiles.js';
import type { RetentionPolicy } from './retention.js';
import { withRetry } from './sql.js';

export interface EventStoreDeps {
  db: Db;
  dataKeys: DataKeys;
  hasher: SubjectHasher;
  retention: RetentionPolicy;
}

export interface StoreResult {
  /** Events written by this call. */
  inserted: number;
  /** Events skipped because their subject already has an event with their messageId (replays, redelivery). */
  duplicates: number;
  /** Profiles touched by identify calls. */
  profiles: number;
  /** Events not written because their subject was erased after they arrived (see `seenAt`). */
  erased: number;
}

export interface StoreOptions {
  /** When the batch is stored (the `received_at` column); now by default. */
  receivedAt?: Date;
  /**
   * Per event (parallel to the batch), epoch millis when it reached the engine. An event whose
   * subject was erased at or after that moment is history the erasure covers: it is dropped, not
   * stored under a fresh key. Defaults to `receivedAt` for every event.
   */
  seenAt?: readonly number[];
  /**
   * Per event (parallel to the batch), its JSON text when serialized beforehand (where the walk
   * ran, e.g. a worker thread), else null. With it, the event in the batch needs only the fields
   * the store reads in clear (see `storedHead`); the text is what is sealed. Only for events with
   * a messageId: one filled in here must be part of what is sealed.
   */
  json?: readonly (string | Uint8Array | null)[];
}

interface PreparedEvent {
  messageId: string;
  subjectHash: string;
  name: string;
  type: string;
  timestamp: string | null;
  expiresAt: string | null;
  event: SegmentEvent;
  /** The event's JSON text (or its UTF-8 bytes), when serialized beforehand (see StoreOptions.json). */
  json: string | Uint8Array | null;
}

/**
 * Stores events encrypted at rest. Only routing/retention metadata stays in clear (subject HMAC,
 * event name and type, timestamps); the event itself is sealed with its subject's data key and
 * bound (AAD) to subject hash, messageId and every clear column (see event-seal.ts). Events with neither userId nor anonymousId share one
 * data key under the `anonymous` subject: they cannot be erased per person (there is no person
 * to ask for), so retention alone governs them.
 */
export class EventStore {
  constructor(private readonly deps: EventStoreDeps) {}

  /**
   * Writes a batch in one transaction: one multi-row insert, idempotent on (subject, messageId), plus the
   * profile merge and email identities of its identify calls. Events without a messageId get a
   * random one (and so are not deduplicated); Segment libraries always set it.
   */
  async storeEvents(batch: readonly SegmentEvent[], options: StoreOptions = {}): Promise<StoreResult> {
    if (batch.length === 0) return { inserted: 0, duplicates: 0, profiles: 0, erased: 0 };
    const receivedAt = options.receivedAt ?? new Date();
    const subjectHashes = batch.map((event) => this.subjectHashOf(event));
    const subjects = [...new Set(subjectHashes)];

    return withRetry(() =>
      this.deps.db.transaction(async (tx) => {
        const { keys, erasedAt } = await this.deps.dataKeys.forWrite(tx, subjects);
        const keep = erasedAt.size === 0 ? null : this.arrivedAfterErasure(subjectHashes, erasedAt, options.seenAt ?? null, receivedAt.getTime());
        const kept = keep === null ? batch : batch.filter((_, i) => keep[i]);
        const json = options.json === undefined ? null : keep === null ? options.json : options.json.filter((_, i) => keep[i]);
        const events = this.prepare(kept, keep === null ? subjectHashes : subjectHashes.filter((_, i) => keep[i]), json, receivedAt);
        const profiles = this.profileUpdates(kept, receivedAt);
        const emails = this.emailIdentities(kept);
        const links = this.subjectLinks(kept);
        const sealed = sealEventRows(
          events.map((e) => ({ key: keys.get(e.subjectHash)!.key, columns: columnsOf(e, receivedAt), event: e.event, json: e.json })),
        );
        const [row] = await tx.query<{ n: number }>(tx.engine === 'postgres' ? INSERT_PACKED : INSERT_ARRAY, [
          events.map((e) => e.messageId),
          events.map((e) => e.subjectHash),
          events.map((e) => keys.get(e.subjectHash)!.id),
          events.map((e) => e.name),
          events.map((e) => e.type),
          events.map((e) => e.timestamp),
          receivedAt.toISOString(),
          events.map((e) => e.expiresAt),
          ...(tx.engine === 'postgres' ? [sealed.bytes, sealed.offsets.map((o) => o + 1), sealed.lengths] : [split(sealed)]),
        ]);
        const touched = await mergeProfiles(tx, profiles, keys);
        if (emails.length > 0) {
          await tx.query('INSERT INTO identities (email_hash, subject_hash) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
            emails.map((e) => e[0]),
            emails.map((e) => e[1]),
          ]);
        }
        if (links.length > 0) {
          await tx.query('INSERT INTO subject_links (subject_hash, linked_hash) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
            links.map((l) => l[0]),
            links.map((l) => l[1]),
          ]);
        }
        const inserted = row?.n ?? 0;
        const erased = batch.length - kept.length;
        return { inserted, duplicates: kept.length - inserted, profiles: touched, erased };
      }),
    );
  }

  private subjectHashOf(event: SegmentEvent): string {
    const subject = subjectOf(event);
    return subject ? this.deps.hasher.subjectHash(subject.id) : ANONYMOUS_SUBJECT;
  }

  /** Per event: whether it arrived after its subject's last erasure (events from before are dropped). */
  private arrivedAfterErasure(
    subjectHashes: readonly string[],
    erasedAt: ReadonlyMap<string, number>,
    seenAt: readonly number[] | null,
    fallback: number,
  ): boolean[] {
    return subjectHashes.map((hash, i) => {
      const erased = erasedAt.get(hash);
      return erased === undefined || (seenAt?.[i] ?? fallback) > erased;
    });
  }

  /** `subjectHashes` is parallel to `batch` (hashed once per event: an HMAC each). */
  private prepare(
    batch: readonly SegmentEvent[],
    subjectHashes: readonly string[],
    json: readonly (string | Uint8Array | null)[] | null,
    receivedAt: Date,
  ): PreparedEvent[] {
    const seen = new Set<string>();
    const prepared: PreparedEvent[] = [];
    batch.forEach((event, i) => {
      const messageId = storableMessageId(event.messageId);
      // The same messageId under two subjects is two events (see migration 008).
      const identity = `${subjectHashes[i]!}\u0000${messageId}`;
      if (seen.has(identity)) return;
      seen.add(identity);
      const rawName = eventName(event);
      const name = storableText(rawName);
      const ms = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : NaN;
      const hasId = typeof event.messageId === 'string' && event.messageId !== '';
      prepared.push({
        messageId,
        subjectHash: subjectHashes[i]!,
        name,
        type: event.type,
        timestamp: storableTime(ms),
        expiresAt: this.deps.retention.expiresAt(rawName, receivedAt)?.toISOString() ?? null,
        // A missing messageId is filled in; one stored as a digest stays as sent in the sealed event.
        event: hasId ? event : { ...event, messageId },
        json: hasId ? (json?.[i] ?? null) : null,
      });
    });
    // Sorted by (subject, messageId): concurrent writers of overlapping batches lock rows in one order.
    return prepared.sort((a, b) => compare(a.subjectHash, b.subjectHash) || compare(a.messageId, b.messageId));
  }

  private profileUpdates(batch: readonly SegmentEvent[], receivedAt: Date): Map<string, ProfileDoc> {
    const updates = new Map<string, ProfileDoc>();
    for (const event of batch) {
      if (event.type !== 'identify' || !isObject(event.traits)) continue;
      const subject = subjectOf(event);
      if (!subject) continue;
      const hash = this.deps.hasher.subjectHash(subject.id);
      const doc = updates.get(hash) ?? emptyProfile();
      updates.set(hash, mergeTraits(doc, event.traits, identifyTime(event, receivedAt)));
    }
    return updates;
  }

  /** Identified subjects and the anonymous ids seen with them, once per batch (see linkedIds). */
  private subjectLinks(batch: readonly SegmentEvent[]): Array<[string, string]> {
    const seen = new Set<string>();
    const pairs: Array<[string, string]> = [];
    for (const event of batch) {
      for (const linked of linkedIds(event)) {
        // Raw ids only as a dedupe key within the batch; hashed before they leave this function.
        const key = `${event.userId}\u0000${linked}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push([this.deps.hasher.subjectHash(event.userId!), this.deps.hasher.subjectHash(linked)]);
      }
    }
    return pairs;
  }

  /** (email hash, subject hash) pairs from identify traits, so requests by email find subjects. */
  private emailIdentities(batch: readonly SegmentEvent[]): Array<[string, string]> {
    const pairs = new Map<string, [string, string]>();
    for (const event of batch) {
      if (event.type !== 'identify') continue;
      const subject = subjectOf(event);
      if (!subject) continue;
      const contextTraits = isObject(event.context) && isObject(event.context.traits) ? event.context.traits : undefined;
      for (const email of [isObject(event.traits) ? event.traits.email : undefined, contextTraits?.email]) {
        if (typeof email !== 'string' || !email.includes('@')) continue;
        const pair: [string, string] = [this.deps.hasher.emailHash(email), this.deps.hasher.subjectHash(subject.id)];
        pairs.set(pair.join(':'), pair);
      }
    }
    return [...pairs.values()];
  }
}

// The clear columns take what producers send: values PostgreSQL refuses (a NUL character, a key
// too long for the unique index, a year past 9999) would fail the batch on every redelivery and
// stall the partition. They are made storable instead; the sealed payload keeps the event as sent.
const MAX_MESSAGE_ID = 256;

/** The messageId to store: as sent when storable, else a digest of it (still idempotent); random when missing. */
function storableMessageId(id: unknown): string {
  if (typeof id !== 'string' || id === '') return randomUUID();
  return id.length <= MAX_MESSAGE_ID && !id.includes('\u0000') ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

// One multi-row insert per batch, idempotent on (subject, messageId). With pg the sealed payloads
// travel as one binary parameter cut in SQL (substring by offset and length): a bytea[] parameter
// goes as hex text, twice the bytes for the engine to build and the server to parse. PGlite takes
// parameters as text either way, so it keeps the plain array.
const INSERT_COLUMNS = 'INSERT INTO events (message_id, subject_hash, data_key_id, event_name, event_type, event_timestamp, received_at, expires_at, payload)';
const UNNEST = 'unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $8::timestamptz[]';
const INSERT_PACKED = `WITH added AS (
  ${INSERT_COLUMNS}
  SELECT m, s, k, n, t, ts, $7, x, substring($9::bytea FROM o FOR l)
  FROM ${UNNEST}, $10::int[], $11::int[]) AS u(m, s, k, n, t, ts, x, o, l)
  ON CONFLICT (subject_hash, message_id) DO NOTHING
  RETURNING 1)
SELECT count(*)::int AS n FROM added`;
const INSERT_ARRAY = `WITH added AS (
  ${INSERT_COLUMNS}
  SELECT m, s, k, n, t, ts, $7, x, p
  FROM ${UNNEST}, $9::bytea[]) AS u(m, s, k, n, t, ts, x, p)
  ON CONFLICT (subject_hash, message_id) DO NOTHING
  RETURNING 1)
SELECT count(*)::int AS n FROM added`;

/** Each sealed value of a run on its own (views, no copies). */
function split(run: SealedRun): Buffer[] {
  return run.offsets.map((at, i) => run.bytes.subarray(at, at + run.lengths[i]!));
}

function columnsOf(e: PreparedEvent, receivedAt: Date): EventColumns {
  return {
    subjectHash: e.subjectHash,
    messageId: e.messageId,
    name: e.name,
    type: e.type,
    timestamp: e.timestamp === null ? null : Date.parse(e.timestamp),
    receivedAt: receivedAt.getTime(),
    expiresAt: e.expiresAt === null ? null : Date.parse(e.expiresAt),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** An ISO time PostgreSQL accepts (years 1–9999), or null. */
function storableTime(ms: number): string | null {
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999 ? date.toISOString() : null;
}

/**
 * What the store reads of an event in clear, besides its JSON text (StoreOptions.json): subject,
 * messageId, type, name and timestamp; identify and alias calls whole (traits, emails, previousId).
 * A smaller object to hand across threads than the event.
 */
export function storedHead(event: SegmentEvent): SegmentEvent {
  if (event.type === 'identify' || event.type === 'alias') return event;
  const head: SegmentEvent = { type: event.type };
  if (event.event !== undefined) head.event = event.event;
  if (event.messageId !== undefined) head.messageId = event.messageId;
  if (event.userId !== undefined) head.userId = event.userId;
  if (event.anonymousId !== undefined) head.anonymousId = event.anonymousId;
  if (event.timestamp !== undefined) head.timestamp = event.timestamp;
  return head;
}

/**
 * (userId hash, anonymous id hash) pairs: the anonymousId an identified event also carries, and an
 * alias call's previousId. Events stored under those anonymous ids belong to the same person.
 */
export function linkedIds(event: SegmentEvent): string[] {
  if (typeof event.userId !== 'string' || event.userId === '') return NONE;
  const linked: string[] = [];
  if (typeof event.anonymousId === 'string' && event.anonymousId !== '' && event.anonymousId !== event.userId) linked.push(event.anonymousId);
  const previousId = (event as { previousId?: unknown }).previousId;
  if (event.type === 'alias' && typeof previousId === 'string' && previousId !== '' && previousId !== event.userId) linked.push(previousId);
  return linked;
}

const NONE: string[] = [];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
