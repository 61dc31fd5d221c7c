import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { iso } from '../storage/sql.js';
import type { Principal, Role, Scope } from './authz.js';

/**
 * API keys. A token is `sl_<keyId>_<secret>`: the key id finds the row, the secret proves
 * possession. Secrets are 256 random bits, so a plain SHA-256 is as strong as a slow hash here
 * (there is nothing to brute-force) and keeps the per-request check cheap.
 *
 * Every request is checked against the database, never a cache: a revocation or an ended rotation
 * overlap takes effect at once in every API process.
 */

export const TOKEN_PREFIX = 'sl_';
const TOKEN = /^sl_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  scopes: Scope[];
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  /** Secrets that still open the key: one, or two while a rotation overlaps. No hashes. */
  secrets: Array<{ createdAt: string; expiresAt: string | null }>;
}

export interface IssuedKey {
  key: ApiKey;
  /** The only time the secret exists outside the caller: it is not stored. */
  token: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function parseToken(token: string): { keyId: string; secret: string } | null {
  const match = TOKEN.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  scopes: Scope[];
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
}

export class ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The key a token opens, or null (unknown, wrong secret, expired secret, revoked key). */
  async verify(token: string): Promise<Principal | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const rows = await this.db.query<{ name: string; role: Role; scopes: Scope[]; secret_hash: string }>(
      `SELECT k.name, k.role, k.scopes, s.secret_hash FROM api_keys k JOIN api_key_secrets s ON s.key_id = k.id
       WHERE k.id = $1 AND k.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $2)`,
      [parsed.keyId, this.now()],
    );
    const presented = Buffer.from(hashSecret(parsed.secret), 'hex');
    // Compare against every live secret without stopping early: timing says nothing about which matched.
    let match: (typeof rows)[number] | undefined;
    for (const row of rows) {
      if (timingSafeEqual(presented, Buffer.from(row.secret_hash, 'hex'))) match = row;
    }
    return match ? { keyId: parsed.keyId, name: match.name, role: match.role, scopes: match.scopes } : null;
  }

  async create(tx: Db, input: { name: string; role: Role; scopes: readonly Scope[]; createdBy: string | null }): Promise<IssuedKey> {
    const id = randomBytes(8).toString('hex');
    const secret = newSecret();
    const at = this.now();
    await tx.query('INSERT INTO api_keys (id, name, role, scopes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [
      id, input.name, input.role, [...input.scopes], at, input.createdBy,
    ]);
    await tx.query('INSERT INTO api_key_secrets (secret_hash, key_id, created_at) VALUES ($1, $2, $3)', [hashSecret(secret), id, at]);
    return { key: (await this.get(tx, id))!, token: `${TOKEN_PREFIX}${id}_${secret}` };
  }

  async get(db: Db, id: string): Promise<ApiKey | null> {
    const [row] = await db.query<KeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return row ? this.withSecrets(db, row) : null;
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return Promise.all(rows.map((row) => this.withSecrets(this.db, row)));
  }

  /**
   * Issues a new secret; the current ones stay valid for `overlapSeconds` more (0: they stop now),
   * so clients can be redeployed with the new token before the old one stops working.
   */
  async rotate(tx: Db, id: string, overlapSeconds: number): Promise<IssuedKey | null> {
    const [row] = await tx.query<KeyRow>('SELECT * FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR UPDATE', [id]);
    if (!row) return null;
    const now = this.now();
    const until = new Date(now.getTime() + overlapSeconds * 1000);
    // Secrets that ended long ago are useless rows; the current ones get the overlap's end.
    await tx.query('DELETE FROM api_key_secrets WHERE key_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2', [id, now]);
    await tx.query('UPDATE api_key_secrets SET expires_at = LEAST(coalesce(expires_at, $2), $2) WHERE key_id = $1', [id, until]);
    const secret = newSecret();
    await tx.query('INSERT INTO api_key_secrets (secret_hash, key_id, created_at) VALUES ($1, $2, $3)', [hashSecret(secret), id, now]);
    return { key: (await this.get(tx, id))!, token: `${TOKEN_PREFIX}${id}_${secret}` };
  }

  /**
   * Revokes at once (idempotent); null when there is no such key. Keys minted by it, and by those,
   * are revoked with it: a key cannot outlive the revocation of the key that created it (a leaked
   * key's holder could otherwise mint a spare first).
   */
  async revoke(tx: Db, id: string): Promise<ApiKey | null> {
    await this.revokeWithMinted(tx, id);
    return this.get(tx, id);
  }

  /** Revokes `id` and every active key it minted, transitively; returns the ids of those minted keys revoked now. */
  async revokeWithMinted(tx: Db, id: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `WITH RECURSIVE minted(id) AS (
         SELECT id FROM api_keys WHERE id = $1
         UNION SELECT k.id FROM api_keys k JOIN minted m ON k.created_by = m.id
       )
       UPDATE api_keys SET revoked_at = $2 WHERE id IN (SELECT id FROM minted) AND revoked_at IS NULL RETURNING id`,
      [id, this.now()],
    );
    return rows.map((r) => r.id).filter((k) => k !== id).sort();
  }

  private async withSecrets(db: Db, row: KeyRow): Promise<ApiKey> {
    const secrets = row.revoked_at
      ? []
      : await db.query<{ created_at: Date; expires_at: Date | null }>(
          'SELECT created_at, expires_at FROM api_key_secrets WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at',
          [row.id, this.now()],
        );
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      scopes: row.scopes,
      createdAt: iso(row.created_at)!,
      createdBy: row.created_by,
      revokedAt: iso(row.revoked_at),
      secrets: secrets.map((s) => ({ createdAt: iso(s.created_at)!, expiresAt: iso(s.expires_at) })),
    };
  }
}
