import type { DataKeys } from './crypto/data-keys.js';
import { DecryptError } from './crypto/aead.js';
import type { Db } from './db.js';
import { millis, openEventRow, sealEventRow, type EventColumns } from './event-seal.js';
import { buf } from './sql.js';

/** An `events` row as the readers of stored events select it. */
export interface StoredEventRow {
  id: number;
  message_id: string;
  data_key_id: string;
  event_name: string;
  event_type: string;
  event_timestamp: Date | null;
  received_at: Date;
  expires_at: Date | null;
  payload: Buffer;
}

/** The clear columns of an events row, as the AAD binds them. */
export function columnsOfRow(
  subjectHash: string,
  row: {
    message_id: string;
    event_name: string;
    event_type: string;
    event_timestamp: Date | string | null;
    received_at: Date | string;
    expires_at: Date | string | null;
  },
): EventColumns {
  return {
    subjectHash,
    messageId: row.message_id,
    name: row.event_name,
    type: row.event_type,
    timestamp: millis(row.event_timestamp),
    receivedAt: millis(row.received_at)!,
    expiresAt: millis(row.expires_at),
  };
}

export interface VerifyResult {
  /** Rows checked. */
  checked: number;
  /** Row ids that fail authentication under their live key: tampered (see event-seal.ts). */
  tampered: number[];
  /** Legacy rows (bound to subject and messageId only) re-sealed under the full binding. */
  resealed: number;
  /** Rows whose key is destroyed (crypto-shredded): nothing to check. */
  unreadable: number;
}

interface Row {
  id: number | string;
  subject_hash: string;
  message_id: string;
  data_key_id: string;
  event_name: string;
  event_type: string;
  event_timestamp: Date | string | null;
  received_at: Date | string;
  expires_at: Date | string | null;
  payload: Buffer;
}

/**
 * Authenticates every stored event against its clear columns, in keyset pages, and re-seals
 * legacy rows under the full binding (the migration path for rows written before it: they are
 * trusted as they are the first time they are seen, as nothing else can vouch for them). A legacy
 * row is re-sealed only if its payload is unchanged since it was read, so a concurrent write or
 * erasure wins. Costs one AES-GCM open per row and one key unwrap per subject (cached).
 */
export async function verifyEvents(db: Db, dataKeys: DataKeys, options: { pageSize?: number } = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 1_000;
  const result: VerifyResult = { checked: 0, tampered: [], resealed: 0, unreadable: 0 };
  for (let after = 0; ; ) {
    const rows = await db.query<Row>(
      `SELECT id, subject_hash, message_id, data_key_id, event_name, event_type, event_timestamp, received_at, expires_at, payload
       FROM events WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, pageSize],
    );
    const keys = await dataKeys.byIds(
      db,
      rows.map((r) => r.data_key_id),
    );
    for (const row of rows) {
      result.checked++;
      const key = keys.get(row.data_key_id);
      if (!key) {
        result.unreadable++;
        continue;
      }
      const columns = columnsOfRow(row.subject_hash, row);
      try {
        // A key of another subject (data_key_id changed) fails here too: the AAD names the row's subject.
        if (key.subjectHash !== row.subject_hash) throw new DecryptError();
        const opened = openEventRow(key.key, columns, buf(row.payload));
        if (opened.binding === 'legacy') {
          const updated = await db.query('UPDATE events SET payload = $2 WHERE id = $1 AND payload = $3 RETURNING 1', [
            row.id,
            sealEventRow(key.key, columns, opened.event),
            buf(row.payload),
          ]);
          result.resealed += updated.length;
        }
      } catch (err) {
        if (!(err instanceof DecryptError)) throw err;
        result.tampered.push(Number(row.id));
      }
    }
    if (rows.length < pageSize) return result;
    after = Number(rows[rows.length - 1]!.id);
  }
}
