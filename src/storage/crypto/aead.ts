import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
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

/**
 * Random IVs drawn from a pool filled by one CSPRNG call per IV_POOL_SIZE seals: a batch of events
 * is sealed one after another, and a `randomBytes` call per IV cost more than the cipher itself on
 * ~1 KB events. Every IV is still 96 fresh random bits handed out once (the pool only moves on).
 */
const IV_POOL_SIZE = 1024;
const ivPool = Buffer.allocUnsafe(IV_BYTES * IV_POOL_SIZE);
let ivOffset = ivPool.length;

function nextIv(into: Buffer, at: number): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  ivPool.copy(into, at, ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return into.subarray(at, at + IV_BYTES);
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  // One allocation for the sealed value: the header, then the ciphertext written in place.
  const sealed = Buffer.allocUnsafe(HEADER + plaintext.length);
  sealed[0] = FORMAT;
  const cipher = createCipheriv('aes-256-gcm', key, nextIv(sealed, 1));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  let at = HEADER;
  at += cipher.update(plaintext).copy(sealed, at);
  at += cipher.final().copy(sealed, at);
  cipher.getAuthTag().copy(sealed, 1 + IV_BYTES);
  return at === sealed.length ? sealed : sealed.subarray(0, at);
}

/** Sealed values laid end to end in one buffer: each one's start (from 0) and length. */
export interface SealedRun {
  bytes: Buffer;
  offsets: number[];
  lengths: number[];
}

/**
 * `seal` of many UTF-8 texts (strings, or their bytes) at once, written end to end into one buffer (a batch of rows sent as
 * one parameter): no buffer per plaintext, per sealed value or for joining them.
 */
export function sealTexts(items: ReadonlyArray<{ key: Buffer; text: string | Uint8Array; aad: string }>): SealedRun {
  const offsets = new Array<number>(items.length);
  const lengths = new Array<number>(items.length);
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    offsets[i] = total;
    const text = items[i]!.text;
    lengths[i] = HEADER + (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength);
    total += lengths[i]!;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < items.length; i++) {
    const { key, text, aad } = items[i]!;
    const at = offsets[i]!;
    bytes[at] = FORMAT;
    const cipher = createCipheriv('aes-256-gcm', key, nextIv(bytes, at + 1));
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    // Bytes are taken as they are (UTF-8 already: a worker encoded them once for output and store).
    let written = (typeof text === 'string' ? cipher.update(text, 'utf8') : cipher.update(text)).copy(bytes, at + HEADER);
    written += cipher.final().copy(bytes, at + HEADER + written);
    // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
    if (written !== lengths[i]! - HEADER) throw new Error('AES-GCM wrote an unexpected length');
    cipher.getAuthTag().copy(bytes, at + 1 + IV_BYTES);
  }
  return { bytes, offsets, lengths };
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
