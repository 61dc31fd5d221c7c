import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SegmentloomError } from '../../core/errors.js';

/**
 * AES-256-GCM with associated data. Sealed layout: format byte (1) | IV (12) | tag (16) | ciphertext.
 * The AAD is not stored: callers rebuild it from the row (subject hash, message id …), so a
 * ciphertext copied into another row fails authentication instead of decrypting.
 */
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + IV_BYTES + TAG_BYTES;

export class DecryptError extends SegmentloomError {
  constructor(message = 'decryption failed: wrong key, wrong row or tampered data') {
    super('SLOOM_ERR_DECRYPT', message);
    this.name = 'DecryptError';
  }
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < HEADER || sealed[0] !== FORMAT) throw new DecryptError('decryption failed: unknown ciphertext format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
  } catch {
    throw new DecryptError();
  }
}

export function sealJson(key: Buffer, value: unknown, aad: string): Buffer {
  return seal(key, Buffer.from(JSON.stringify(value), 'utf8'), aad);
}

export function openJson<T = unknown>(key: Buffer, sealed: Buffer, aad: string): T {
  return JSON.parse(open(key, sealed, aad).toString('utf8')) as T;
}

/** AAD builders: one place that fixes what each ciphertext is bound to. NUL separates fields. */
export const aad = {
  dataKey: (subjectHash: string, keyId: string) => `segmentloom/data-key/v1\0${subjectHash}\0${keyId}`,
  /** v1: rows written before the clear columns were bound (see event-seal.ts). */
  event: (subjectHash: string, messageId: string) => `segmentloom/event/v1\0${subjectHash}\0${messageId}`,
  eventRow: (subjectHash: string, messageId: string, ...columns: string[]) => `segmentloom/event/v2\0${subjectHash}\0${messageId}\0${columns.join('\0')}`,
  profile: (subjectHash: string) => `segmentloom/profile/v1\0${subjectHash}`,
};
