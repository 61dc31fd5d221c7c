import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { iso } from '../storage/sql.js';

/**
 * The secrets behind a key, shared by API keys and the ingest's write keys: 256 random bits each,
 * stored only as SHA-256 hashes (nothing to brute-force, so a slow hash would buy nothing), one per
 * key, or two while a rotation overlaps. Each kind of key has its own secrets table with the same
 * columns: secret_hash, key_id, created_at, expires_at (NULL: until rotated or revoked).
 */

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The index of the hash `secret` matches, or -1. Compares against every hash without stopping
 * early: timing says nothing about which matched.
 */
export function matchSecret(secret: string, hashes: readonly string[]): number {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  let match = -1;
  for (let i = 0; i < hashes.length; i++) {
    if (timingSafeEqual(presented, Buffer.from(hashes[i]!, 'hex'))) match = i;
  }
  return match;
}

export type SecretsTable = 'api_key_secrets' | 'write_key_secrets';

export class SecretRing {
  constructor(
    readonly table: SecretsTable,
    private readonly now: () => Date,
  ) {}

  /** Adds a secret valid until rotated or revoked; returns it (it is not stored). */
  async add(tx: Db, keyId: string, at: Date = this.now()): Promise<string> {
    const secret = newSecret();
    await tx.query(`INSERT INTO ${this.table} (secret_hash, key_id, created_at) VALUES ($1, $2, $3)`, [hashSecret(secret), keyId, at]);
    return secret;
  }

  /**
   * Issues a new secret; the current ones stay valid for `overlapSeconds` more (0: they stop now),
   * so clients can be redeployed with the new secret before the old one stops working. The caller
   * holds the key's row lock.
   */
  async rotate(tx: Db, keyId: string, overlapSeconds: number): Promise<string> {
    const now = this.now();
    const until = new Date(now.getTime() + overlapSeconds * 1000);
    // Secrets that ended long ago are useless rows; the current ones get the overlap's end.
    await tx.query(`DELETE FROM ${this.table} WHERE key_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2`, [keyId, now]);
    await tx.query(`UPDATE ${this.table} SET expires_at = LEAST(coalesce(expires_at, $2), $2) WHERE key_id = $1`, [keyId, until]);
    return this.add(tx, keyId, now);
  }

  /** The secrets that still open the key (dates only, never hashes), oldest first. */
  async live(db: Db, keyId: string): Promise<Array<{ createdAt: string; expiresAt: string | null }>> {
    const rows = await db.query<{ created_at: Date; expires_at: Date | null }>(
      `SELECT created_at, expires_at FROM ${this.table} WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at`,
      [keyId, this.now()],
    );
    return rows.map((s) => ({ createdAt: iso(s.created_at)!, expiresAt: iso(s.expires_at) }));
  }
}
