import type { DataKey, DataKeys } from './crypto/data-keys.js';
import { DecryptError } from './crypto/aead.js';
import { KeyConfigError } from './crypto/master-keys.js';
import { columnsOfRow, type StoredEventRow } from './integrity.js';
import { openEventRow } from './event-seal.js';
import type { Db } from './db.js';
import { readProfile } from './profiles.js';
import { SubjectRequests, type SubjectRequest, type SubjectSelector } from './requests.js';
import type { SubjectHasher } from './crypto/lookup.js';
import { buf, iso } from './sql.js';

export interface ExportedEvent {
  messageId: string;
  event: string;
  type: string;
  timestamp: string | null;
  receivedAt: string;
  expiresAt: string | null;
  payload: unknown;
}

export interface SubjectData {
  subject: string;
  events: ExportedEvent[];
  /** Events still stored whose key was destroyed (crypto-shredded, awaiting physical deletion). */
  unreadableEvents: number;
  /**
   * Rows that fail authentication with their subject's live key: a clear column (event name, type,
   * timestamps, expiry) or the ciphertext was changed in the database, or a payload was copied from
   * another row. Not exported: what they say cannot be trusted. Row ids, for the investigation.
   */
  tamperedEvents: number[];
  /** Exported events written before the clear columns were bound (see event-seal.ts): not verifiable yet. */
  legacyEvents: number;
  profile: Record<string, unknown> | null;
  suppressed: boolean;
  /** Masked inventory examples that came from this subject. */
  inventoryExamples: Array<{ source: string; event: string; path: string; example: string }>;
}

export interface SubjectExport {
  generatedAt: string;
  idKind: 'userId' | 'anonymousId' | 'email';
  lookupHash: string;
  subjects: SubjectData[];
  requests: SubjectRequest[];
}

export interface AccessDeps {
  db: Db;
  dataKeys: DataKeys;
  hasher: SubjectHasher;
}

const PAGE = 1_000;

/** Everything stored about a data subject, decrypted (right of access / portability). */
export async function exportSubject(deps: AccessDeps, selector: SubjectSelector): Promise<SubjectExport> {
  const requests = new SubjectRequests({ db: deps.db, hasher: deps.hasher });
  const { kind, hash } = requests.lookupHash(selector);
  const subjects = await requests.resolve(selector);
  const data: SubjectData[] = [];
  for (const subject of subjects) data.push(await exportOne(deps, subject));
  return {
    generatedAt: new Date().toISOString(),
    idKind: kind,
    lookupHash: hash,
    subjects: data,
    requests: await requests.forLookupHashes([...new Set([hash, ...subjects])]),
  };
}

/**
 * A wrapped key that does not open (tampered or swapped row, a master version no longer in the
 * keyring) makes its ciphertexts unreadable, like a destroyed key: they are counted, not a 500.
 */
function unreadableKey(err: unknown): Map<string, DataKey> {
  if (err instanceof DecryptError || err instanceof KeyConfigError) return new Map();
  throw err;
}

async function exportOne(deps: AccessDeps, subject: string): Promise<SubjectData> {
  const keyCache = new Map<string, Awaited<ReturnType<DataKeys['byIds']>>>();
  const keyFor = async (keyId: string) => {
    if (!keyCache.has(keyId)) keyCache.set(keyId, await deps.dataKeys.byIds(deps.db, [keyId]).catch(unreadableKey));
    return keyCache.get(keyId)!.get(keyId);
  };
  const events: ExportedEvent[] = [];
  let unreadableEvents = 0;
  let legacyEvents = 0;
  const tamperedEvents: number[] = [];
  // Keyset pagination keeps each query bounded for subjects with many events.
  for (let after = 0; ; ) {
    const rows = await deps.db.query<StoredEventRow>(
      `SELECT id, message_id, data_key_id, event_name, event_type, event_timestamp, received_at, expires_at, payload
       FROM events WHERE subject_hash = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [subject, after, PAGE],
    );
    for (const row of rows) {
      const key = await keyFor(row.data_key_id);
      if (!key) {
        unreadableEvents++;
        continue;
      }
      let payload: unknown;
      try {
        const opened = openEventRow(key.key, columnsOfRow(subject, row), buf(row.payload));
        payload = opened.event;
        if (opened.binding === 'legacy') legacyEvents++;
      } catch (err) {
        if (!(err instanceof DecryptError)) throw err;
        tamperedEvents.push(Number(row.id));
        continue;
      }
      events.push({
        messageId: row.message_id,
        event: row.event_name,
        type: row.event_type,
        timestamp: iso(row.event_timestamp),
        receivedAt: iso(row.received_at)!,
        expiresAt: iso(row.expires_at),
        payload,
      });
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }
  const profile = await readProfile(deps.db, subject, keyFor);
  const suppressed = (await deps.db.query('SELECT 1 FROM suppressions WHERE subject_hash = $1', [subject])).length > 0;
  const inventoryExamples = await deps.db.query<{ source: string; event: string; path: string; example: string }>(
    'SELECT source, event, path, example FROM inventory_points WHERE example_subject = $1 AND example IS NOT NULL ORDER BY source, event, path',
    [subject],
  );
  return { subject, events, unreadableEvents, tamperedEvents, legacyEvents, profile, suppressed, inventoryExamples };
}
