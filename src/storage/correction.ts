import { z } from 'zod';
import type { DataKey, DataKeys } from './crypto/data-keys.js';
import { DecryptError, openJson, sealJson } from './crypto/aead.js';
import type { Db } from './db.js';
import { openEventRow, sealEventRow } from './event-seal.js';
import { columnsOfRow, type StoredEventRow as EventRow } from './integrity.js';
import { define, mergeTraits, type ProfileDoc } from './profiles.js';
import { aad } from './crypto/aead.js';
import { buf } from './sql.js';

/**
 * A correction (GDPR art. 16, CCPA §1798.106): traits to set and traits to remove. Trait names are
 * top-level profile traits, as `identify` sets them; nested objects are replaced whole.
 */
const traitName = z.string().min(1).max(256);
export const correctionSchema = z
  .strictObject({
    set: z.record(traitName, z.json()).default({}),
    unset: z.array(traitName).max(100).default([]),
  })
  .refine((c) => Object.keys(c.set).length + c.unset.length > 0, { message: 'a correction sets or removes at least one trait' })
  .refine((c) => Object.keys(c.set).length <= 100, { message: 'at most 100 traits per correction' })
  .refine((c) => !c.unset.some((name) => Object.hasOwn(c.set, name)), { message: 'a trait is either set or removed, not both' })
  .refine((c) => JSON.stringify(c.set).length <= 32_768, { message: 'corrected values exceed 32 KB' });
export type Correction = z.output<typeof correctionSchema>;
export type CorrectionInput = z.input<typeof correctionSchema>;

/** What a CORRECT request keeps, sealed, until it is forwarded: the change and who it is for. */
export interface SealedCorrection {
  correction: Correction;
  /** The identifier the request named, for the corrective identify (never stored in clear). */
  selector: { userId?: string; anonymousId?: string; email?: string };
  /** Filled in when the request runs: the ids the subject's stored events carry. */
  userId?: string;
  anonymousId?: string;
}

export interface CorrectionCounts {
  profiles: number;
  events: number;
  /** Trait names corrected (names only: the values are personal data). */
  fields: string[];
}

/** The pseudo-subject whose data key seals a request's correction; destroyed once it is forwarded. */
export const correctionKeySubject = (requestId: string) => `request:${requestId}`;
const correctionAad = (requestId: string) => `segmentloom/correction/v1\0${requestId}`;

export async function sealCorrection(tx: Db, dataKeys: DataKeys, requestId: string, sealed: SealedCorrection): Promise<Buffer> {
  const { keys } = await dataKeys.forWrite(tx, [correctionKeySubject(requestId)]);
  const key = keys.get(correctionKeySubject(requestId))!;
  return Buffer.concat([Buffer.from(key.id.replace(/-/g, ''), 'hex'), sealJson(key.key, sealed, correctionAad(requestId))]);
}

/** The sealed correction, or null when its key was destroyed (forwarded, or the subject erased). */
export async function openCorrection(db: Db, dataKeys: DataKeys, requestId: string, blob: Buffer): Promise<SealedCorrection | null> {
  const hex = blob.subarray(0, 16).toString('hex');
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const key = (await dataKeys.byIds(db, [keyId])).get(keyId);
  if (!key) return null;
  return openJson<SealedCorrection>(key.key, blob.subarray(16), correctionAad(requestId));
}

/** Applies a correction to a profile document: set traits win over any older identify (their time is now). */
export function correctProfileDoc(doc: ProfileDoc, correction: Correction, at: string): ProfileDoc {
  mergeTraits(doc, correction.set, at);
  for (const name of correction.unset) {
    if (Object.hasOwn(doc.traits, name)) delete doc.traits[name];
    // The removal's time stays, so a replayed older identify cannot bring the value back.
    define(doc.at, name, at);
  }
  return doc;
}

/** Corrects `traits` (identify) and `context.traits` (any call) of one stored event; whether anything changed. */
export function correctEventPayload(event: Record<string, unknown>, correction: Correction): boolean {
  let changed = false;
  const apply = (traits: unknown) => {
    if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) return;
    const record = traits as Record<string, unknown>;
    for (const [name, value] of Object.entries(correction.set)) {
      if (Object.hasOwn(record, name)) {
        define(record, name, value);
        changed = true;
      }
    }
    for (const name of correction.unset) {
      if (Object.hasOwn(record, name)) {
        delete record[name];
        changed = true;
      }
    }
  };
  if (event.type === 'identify') apply(event.traits);
  const context = event.context;
  if (context !== null && typeof context === 'object' && !Array.isArray(context)) apply((context as Record<string, unknown>).traits);
  return changed;
}

const PAGE = 500;

/**
 * Corrects one subject's profile and stored events in place, re-sealed under the same key and
 * row binding: the old values are overwritten, not kept beside the new ones. Returns what changed
 * and the ids the newest readable event carries (for the corrective identify).
 */
export async function correctSubject(
  db: Db,
  dataKeys: DataKeys,
  subject: string,
  correction: Correction,
  now: Date,
): Promise<{ profiles: number; events: number; ids: { userId?: string; anonymousId?: string } }> {
  const keyCache = new Map<string, DataKey | undefined>();
  const keyFor = async (keyId: string) => {
    if (!keyCache.has(keyId)) keyCache.set(keyId, (await dataKeys.byIds(db, [keyId])).get(keyId));
    return keyCache.get(keyId);
  };
  const at = now.toISOString();
  let profiles = 0;
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ data_key_id: string | null; traits: Buffer | null }>(
      'SELECT data_key_id, traits FROM profiles WHERE subject_hash = $1 FOR UPDATE',
      [subject],
    );
    if (!row?.traits || !row.data_key_id) return;
    // Through the transaction's own connection (PGlite has only one).
    const key = (await dataKeys.byIds(tx, [row.data_key_id])).get(row.data_key_id);
    if (!key) return;
    const doc = correctProfileDoc(openJson<ProfileDoc>(key.key, buf(row.traits), aad.profile(subject)), correction, at);
    await tx.query('UPDATE profiles SET traits = $2, updated_at = now() WHERE subject_hash = $1', [subject, sealJson(key.key, doc, aad.profile(subject))]);
    profiles = 1;
  });
  let events = 0;
  const ids: { userId?: string; anonymousId?: string } = {};
  for (let after = 0; ; ) {
    const rows = await db.query<EventRow>(
      `SELECT id, message_id, data_key_id, event_name, event_type, event_timestamp, received_at, expires_at, payload
       FROM events WHERE subject_hash = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [subject, after, PAGE],
    );
    for (const row of rows) {
      const key = await keyFor(row.data_key_id);
      if (!key) continue;
      const columns = columnsOfRow(subject, row);
      let event: Record<string, unknown>;
      try {
        event = openEventRow<Record<string, unknown>>(key.key, columns, buf(row.payload)).event;
      } catch (err) {
        // A tampered row is left as found: it is evidence (the export and the sweep report it).
        if (err instanceof DecryptError) continue;
        throw err;
      }
      if (typeof event.userId === 'string') ids.userId = event.userId;
      if (typeof event.anonymousId === 'string') ids.anonymousId = event.anonymousId;
      if (!correctEventPayload(event, correction)) continue;
      // The id guard: a row erased or replaced meanwhile is not resurrected.
      const updated = await db.query('UPDATE events SET payload = $2 WHERE id = $1 AND data_key_id = $3 RETURNING 1', [
        row.id,
        sealEventRow(key.key, columns, event),
        row.data_key_id,
      ]);
      events += updated.length;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  return { profiles, events, ids };
}

/** The Segment identify that carries a correction to destinations: set traits, removed ones as null. */
export function correctiveIdentify(requestId: string, sealed: SealedCorrection, at: Date): Record<string, unknown> | null {
  const userId = sealed.selector.userId ?? sealed.userId;
  const anonymousId = sealed.selector.anonymousId ?? sealed.anonymousId;
  if (userId === undefined && anonymousId === undefined) return null;
  const traits: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sealed.correction.set)) define(traits, name, value);
  for (const name of sealed.correction.unset) define(traits, name, null);
  return {
    type: 'identify',
    messageId: `correction-${requestId}`,
    ...(userId !== undefined ? { userId } : {}),
    ...(anonymousId !== undefined ? { anonymousId } : {}),
    traits,
    timestamp: at.toISOString(),
    context: { segmentloom: { correction: requestId } },
  };
}
