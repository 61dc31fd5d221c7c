import type { SegmentEvent } from '../events/index.js';
import type { DataKey } from './crypto/data-keys.js';
import type { Db } from './db.js';
import { aad, openJson, sealJson } from './crypto/aead.js';
import { buf } from './sql.js';

/**
 * The encrypted profile document. `at` keeps, per trait, the timestamp of the identify call that
 * set it, so "newest wins" holds even when identify calls arrive out of order or are replayed.
 */
export interface ProfileDoc {
  traits: Record<string, unknown>;
  at: Record<string, string>;
}

export const emptyProfile = (): ProfileDoc => ({ traits: {}, at: {} });

/** Shallow merge, trait by trait: a value replaces the stored one unless the stored one is newer. */
export function mergeTraits(into: ProfileDoc, traits: Record<string, unknown>, at: string): ProfileDoc {
  for (const [name, value] of Object.entries(traits)) {
    // Own properties only: a trait named `constructor` or `__proto__` is a trait like any other.
    const previous = Object.hasOwn(into.at, name) ? into.at[name] : undefined;
    if (previous !== undefined && previous > at) continue;
    define(into.traits, name, value);
    define(into.at, name, at);
  }
  return into;
}

/** Sets an own property, so a trait named `__proto__` or `constructor` is a trait like any other. */
export function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
}

/** The moment an identify call speaks for: its own timestamp when valid, else when it was received. */
export function identifyTime(event: SegmentEvent, receivedAt: Date): string {
  const ms = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : NaN;
  return new Date(Number.isNaN(ms) ? receivedAt.getTime() : ms).toISOString();
}

interface ProfileRow {
  subject_hash: string;
  data_key_id: string | null;
  traits: Buffer | null;
}

/**
 * Applies a batch's trait updates inside the caller's transaction. Rows are created first and then
 * locked in subject order, so two processes merging into the same profile take turns (no lost
 * update) and cannot deadlock each other.
 */
export async function mergeProfiles(tx: Db, updates: ReadonlyMap<string, ProfileDoc>, keys: ReadonlyMap<string, DataKey>): Promise<number> {
  if (updates.size === 0) return 0;
  const subjects = [...updates.keys()].sort();
  await tx.query('INSERT INTO profiles (subject_hash) SELECT unnest($1::text[]) ON CONFLICT (subject_hash) DO NOTHING', [subjects]);
  const rows = await tx.query<ProfileRow>(
    'SELECT subject_hash, data_key_id, traits FROM profiles WHERE subject_hash = ANY($1::text[]) ORDER BY subject_hash FOR UPDATE',
    [subjects],
  );
  const stored = new Map(rows.map((r) => [r.subject_hash, r]));
  const keyIds: string[] = [];
  const sealed: Buffer[] = [];
  for (const subject of subjects) {
    const key = keys.get(subject)!;
    const row = stored.get(subject);
    // A profile sealed under an older (destroyed) key is unreadable by design: start afresh.
    const doc = row?.traits && row.data_key_id === key.id ? openJson<ProfileDoc>(key.key, buf(row.traits), aad.profile(subject)) : emptyProfile();
    const update = updates.get(subject)!;
    for (const [name, value] of Object.entries(update.traits)) mergeTraits(doc, { [name]: value }, update.at[name]!);
    keyIds.push(key.id);
    sealed.push(sealJson(key.key, doc, aad.profile(subject)));
  }
  await tx.query(
    `UPDATE profiles p SET data_key_id = u.k, traits = u.t, updated_at = now()
     FROM unnest($1::text[], $2::uuid[], $3::bytea[]) AS u(s, k, t) WHERE p.subject_hash = u.s`,
    [subjects, keyIds, sealed],
  );
  return subjects.length;
}

/** Decrypts a subject's profile traits; null when there is none or its key was destroyed. */
export async function readProfile(
  db: Db,
  subjectHash: string,
  keyFor: (keyId: string) => Promise<DataKey | undefined>,
): Promise<Record<string, unknown> | null> {
  const [row] = await db.query<ProfileRow>('SELECT subject_hash, data_key_id, traits FROM profiles WHERE subject_hash = $1', [subjectHash]);
  if (!row?.traits || !row.data_key_id) return null;
  const key = await keyFor(row.data_key_id);
  if (!key) return null;
  return openJson<ProfileDoc>(key.key, buf(row.traits), aad.profile(subjectHash)).traits;
}
