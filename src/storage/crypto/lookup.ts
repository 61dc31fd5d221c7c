import { createHmac, hkdfSync } from 'node:crypto';
import { KeyConfigError, secretFromEnv } from './master-keys.js';

/** Stored in place of a subject hash for events that carry neither userId nor anonymousId. */
export const ANONYMOUS_SUBJECT = 'anonymous';

/**
 * Turns identifiers into stable keyed hashes (HMAC-SHA256) so the database never holds a userId,
 * anonymousId or email in clear but can still find a subject's rows.
 *
 * The HMAC keys are derived (HKDF) from SEGMENTLOOM_LOOKUP_KEY, a secret separate from the master
 * keys: rotating the master key must not change any stored hash. Losing or changing the lookup
 * key orphans every row (they can no longer be found by id), so it is long-lived and backed up.
 */
export class SubjectHasher {
  private readonly subjectKey: Buffer;
  private readonly emailKey: Buffer;
  /**
   * Recent ids and their hashes, in two generations (the older dropped whole when the newer fills):
   * a batch hashes the same few subjects several times (the event, its links), and an HMAC costs
   * more than the lookup. Bounded: at most 2 × SUBJECT_CACHE_SIZE entries, in memory only.
   */
  private recent = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new KeyConfigError('the lookup key must be at least 32 bytes');
    this.subjectKey = derive(secret, 'segmentloom/subject-hash/v1');
    this.emailKey = derive(secret, 'segmentloom/email-hash/v1');
  }

  /** Hash of a userId or anonymousId (the same function for both: the pipeline checks either). */
  subjectHash(id: string): string {
    let hash = this.recent.get(id);
    if (hash !== undefined) return hash;
    hash = this.older.get(id) ?? createHmac('sha256', this.subjectKey).update(id, 'utf8').digest('hex');
    if (this.recent.size >= SUBJECT_CACHE_SIZE) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(id, hash);
    return hash;
  }

  /** Hash of an email address, normalised (trimmed, lower-cased) so lookups match identify traits. */
  emailHash(email: string): string {
    return createHmac('sha256', this.emailKey).update(email.trim().toLowerCase(), 'utf8').digest('hex');
  }

  /** Reads SEGMENTLOOM_LOOKUP_KEY (base64), else the file named by SEGMENTLOOM_LOOKUP_KEY_FILE. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SubjectHasher {
    const secret = secretFromEnv(env, 'SEGMENTLOOM_LOOKUP_KEY');
    if (secret === undefined) throw new KeyConfigError('no lookup key: set SEGMENTLOOM_LOOKUP_KEY or SEGMENTLOOM_LOOKUP_KEY_FILE');
    return new SubjectHasher(Buffer.from(secret, 'base64'));
  }
}

const SUBJECT_CACHE_SIZE = 16_384;

function derive(secret: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from('segmentloom'), Buffer.from(info), 32));
}
