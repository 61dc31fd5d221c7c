import { randomBytes, randomUUID } from 'node:crypto';
import { open, seal } from '../storage/crypto/aead.js';
import type { Keyring } from '../storage/crypto/master-keys.js';
import { DLQ_HEADER, TRUNCATED_HEADER } from '../events/index.js';
import type { HeaderValue, OutputMessage } from '../events/index.js';
import { SegmentloomError } from '../core/errors.js';

/**
 * Dead-letter records encrypted at rest (file and Kafka). A dead letter keeps the original event
 * for replay, personal data and all, so its key, value and original headers are sealed together
 * (AES-256-GCM) under a data key of this process, and the data key travels with each record,
 * wrapped by the master key (envelope encryption, as the event store does). What says why and
 * where from (code, reason, source topic, partition, offset, original length) stays in clear
 * headers: `segmentloom dlq inspect` reads them without any key. The master key version is in the
 * key header, so records written before a rotation stay readable while that version is kept.
 */
export const DLQ_SEALED_HEADER = {
  /** `aes-256-gcm/v1` on a sealed record; absent on a clear one. */
  encryption: 'x-segmentloom-dlq-encryption',
  /** `<master version>:<data key id>:<wrapped data key, base64url>` */
  key: 'x-segmentloom-dlq-key',
} as const;

export const DLQ_ENCRYPTION = 'aes-256-gcm/v1';

/** Headers that stay readable: set by the engine, never copied from the event. */
const CLEAR_HEADERS: ReadonlySet<string> = new Set([...Object.values(DLQ_HEADER), TRUNCATED_HEADER, ...Object.values(DLQ_SEALED_HEADER)]);

const FORMAT = 1;
const HAS_KEY = 1;
const HAS_VALUE = 2;

/** A dead-letter record that cannot be read or opened; the message names the record and the cause, never content. */
export class DeadLetterKeyError extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_DECRYPT', message);
    this.name = 'DeadLetterKeyError';
  }
}

/** The original record a dead letter holds. */
export interface RestoredRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValue>;
}

const keyAad = (keyId: string) => `segmentloom/dead-letter-key/v1\0${keyId}`;
/** Bound to the clear metadata: a sealed value moved to another record, or a changed reason, fails to open. */
const recordAad = (keyId: string, h: Record<string, string>) =>
  [
    'segmentloom/dead-letter/v1',
    keyId,
    h[DLQ_HEADER.sourceTopic] ?? '',
    h[DLQ_HEADER.partition] ?? '',
    h[DLQ_HEADER.offset] ?? '',
    h[DLQ_HEADER.code] ?? '',
    h[DLQ_HEADER.reason] ?? '',
  ].join('\0');

/** Seals dead-letter records under one data key per process, wrapped by the keyring's newest master key. */
export class DeadLetterSealer {
  private readonly dataKey: Buffer;
  private readonly keyId: string;
  private readonly keyHeader: string;

  constructor(keyring: Keyring) {
    this.dataKey = randomBytes(32);
    this.keyId = randomUUID();
    const wrapped = seal(keyring.current.key, this.dataKey, keyAad(this.keyId));
    this.keyHeader = `${keyring.current.version}:${this.keyId}:${wrapped.toString('base64url')}`;
  }

  /** The sealed form of a dead-letter record (as built by deadLetterOf): no key, clear metadata headers, sealed value. */
  seal(record: OutputMessage): OutputMessage {
    const clear: Record<string, string> = {};
    const sealed: Record<string, HeaderValue> = {};
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      if (CLEAR_HEADERS.has(name) && (name !== TRUNCATED_HEADER || /^\d{1,16}$/.test(text(value as HeaderValue)))) clear[name] = text(value as HeaderValue);
      else sealed[name] = value as HeaderValue;
    }
    clear[DLQ_SEALED_HEADER.encryption] = DLQ_ENCRYPTION;
    clear[DLQ_SEALED_HEADER.key] = this.keyHeader;
    const plaintext = pack(bytes(record.key), bytes(record.value), sealed);
    return { key: null, value: seal(this.dataKey, plaintext, recordAad(this.keyId, clear)), headers: clear };
  }
}

/** Opens sealed dead-letter records with a keyring; unwrapped data keys are cached per key id. */
export class DeadLetterOpener {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly keyring: Keyring) {}

  /** True when the record is sealed (has the encryption header). */
  static isSealed(headers: Record<string, string>): boolean {
    return headers[DLQ_SEALED_HEADER.encryption] !== undefined;
  }

  /** The original key, value and headers. Throws DeadLetterKeyError naming what is missing or wrong, never content. */
  open(headers: Record<string, string>, value: Buffer): RestoredRecord {
    const encryption = headers[DLQ_SEALED_HEADER.encryption];
    if (encryption !== DLQ_ENCRYPTION) throw new DeadLetterKeyError(`unknown dead-letter encryption ${JSON.stringify(String(encryption).slice(0, 40))}`);
    const keyId = this.dataKeyOf(headers[DLQ_SEALED_HEADER.key] ?? '');
    let plaintext: Buffer;
    try {
      plaintext = open(this.keys.get(keyId)!, value, recordAad(keyId, headers));
    } catch {
      throw new DeadLetterKeyError('dead-letter record fails authentication: its value or metadata headers were changed');
    }
    return unpack(plaintext);
  }

  private dataKeyOf(header: string): string {
    const [versionText, keyId, wrapped] = header.split(':');
    const version = Number(versionText);
    if (keyId === undefined || wrapped === undefined || !Number.isInteger(version))
      throw new DeadLetterKeyError('dead-letter record has a malformed key header');
    if (this.keys.has(keyId)) return keyId;
    if (!this.keyring.has(version))
      throw new DeadLetterKeyError(`dead-letter record is sealed under master key version ${version}, which is not in the keyring`);
    try {
      this.keys.set(keyId, open(this.keyring.get(version), Buffer.from(wrapped, 'base64url'), keyAad(keyId)));
    } catch {
      throw new DeadLetterKeyError(`dead-letter data key ${keyId} does not unwrap under master key version ${version}: wrong key or tampered header`);
    }
    return keyId;
  }
}

function text(value: HeaderValue): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : v.toString('utf8'))).join(',');
  return typeof value === 'string' ? value : value.toString('utf8');
}

function bytes(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** format (1) | flags (1) | key length (4) | key | headers JSON length (4) | headers JSON | value */
function pack(key: Buffer | null, value: Buffer | null, headers: Record<string, HeaderValue>): Buffer {
  const h: Record<string, string | string[]> = {};
  const b64 = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64');
  for (const [name, v] of Object.entries(headers)) h[name] = Array.isArray(v) ? v.map(b64) : b64(v);
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const head = Buffer.alloc(2 + 4);
  head[0] = FORMAT;
  head[1] = (key ? HAS_KEY : 0) | (value ? HAS_VALUE : 0);
  head.writeUInt32BE(key?.length ?? 0, 2);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, key ?? Buffer.alloc(0), len, json, value ?? Buffer.alloc(0)]);
}

function unpack(plain: Buffer): RestoredRecord {
  if (plain[0] !== FORMAT) throw new DeadLetterKeyError('unknown sealed dead-letter layout');
  const flags = plain[1]!;
  const keyLength = plain.readUInt32BE(2);
  const key = flags & HAS_KEY ? plain.subarray(6, 6 + keyLength) : null;
  let at = 6 + keyLength;
  const jsonLength = plain.readUInt32BE(at);
  at += 4;
  const raw = JSON.parse(plain.subarray(at, at + jsonLength).toString('utf8')) as Record<string, string | string[]>;
  const headers: Record<string, HeaderValue> = {};
  for (const [name, v] of Object.entries(raw)) headers[name] = Array.isArray(v) ? v.map((x) => Buffer.from(x, 'base64')) : Buffer.from(v, 'base64');
  const value = flags & HAS_VALUE ? plain.subarray(at + jsonLength) : null;
  return { key, value, headers };
}
