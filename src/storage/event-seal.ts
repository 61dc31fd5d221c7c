import { aad, DecryptError, openJson, sealJson, sealTexts, type SealedRun } from './crypto/aead.js';

/**
 * What a stored event's ciphertext is bound to (AES-GCM associated data): the row's subject and
 * messageId, and every clear column a reader or the retention sweep acts on — event name and type,
 * the event's timestamp, when it was received and when it expires. Changing any of them in the
 * database makes the row fail authentication: the export reports it as tampered instead of showing
 * a false event name, and the sweep reports a row whose expiry was pushed back (or removed).
 *
 * Rows written before this binding (v1: subject and messageId only) still open with the v1 AAD and
 * are reported as `legacy`; `sealEventRow` re-seals one under the current binding (the sweep's
 * verification pass does, see integrity.ts). A v2 row cannot be passed off as legacy: its
 * ciphertext does not authenticate under the v1 AAD.
 */
export interface EventColumns {
  subjectHash: string;
  messageId: string;
  name: string;
  type: string;
  /** Epoch millis, or null. */
  timestamp: number | null;
  receivedAt: number;
  expiresAt: number | null;
}

export type Binding = 'bound' | 'legacy';

export function sealEventRow(key: Buffer, columns: EventColumns, event: unknown): Buffer {
  return sealJson(key, event, eventAad(columns));
}

/**
 * `sealEventRow` of a batch of rows, end to end in one buffer. `json` is the event's JSON text
 * (or its UTF-8 bytes) when serialized beforehand (`JSON.stringify(event)`), else null.
 */
export function sealEventRows(rows: ReadonlyArray<{ key: Buffer; columns: EventColumns; event: unknown; json: string | Uint8Array | null }>): SealedRun {
  return sealTexts(rows.map((row) => ({ key: row.key, text: row.json ?? JSON.stringify(row.event), aad: eventAad(row.columns) })));
}

/** The event and how it was bound; DecryptError when it opens under neither binding (tampered, swapped or wrong key). */
export function openEventRow<T = unknown>(key: Buffer, columns: EventColumns, sealed: Buffer): { event: T; binding: Binding } {
  try {
    return { event: openJson<T>(key, sealed, eventAad(columns)), binding: 'bound' };
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
  }
  return { event: openJson<T>(key, sealed, aad.event(columns.subjectHash, columns.messageId)), binding: 'legacy' };
}

export function eventAad(c: EventColumns): string {
  const ms = (n: number | null) => (n === null ? '' : String(n));
  return aad.eventRow(c.subjectHash, c.messageId, c.name, c.type, ms(c.timestamp), ms(c.receivedAt), ms(c.expiresAt));
}

/** Epoch millis of a timestamptz column as either driver returns it. */
export function millis(value: Date | string | null): number | null {
  return value === null ? null : new Date(value).getTime();
}
