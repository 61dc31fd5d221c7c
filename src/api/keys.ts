import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { Lru } from '../storage/crypto/lru.js';
import { iso } from '../storage/sql.js';
import type { Principal, Role, Scope } from './authz.js';

/**
 * API keys. A token is `sl_<keyId>_<secret>`: the key id finds the row, the secret proves
 * possession. Secrets are 256 random bits, so a plain SHA-256 is as strong as a slow hash here
 * (there is nothing to brute-force) and keeps the per-request check cheap.
 *
 * A verified key is trusted for a few seconds (`cacheMs`, never past its secret's expiry) without
 * a database read, so a busy client does not cost one query per request. Revoking or rotating a
 * key through this store forgets it here at once; other API processes (and the CLI) see the change
 * within `cacheMs`.
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

interface Verified {
  principal: Principal;
  /** Epoch millis after which the database is asked again. */
  until: number;
}

const CACHED_KEYS = 1_000;

export class ApiKeyStore {
  /** By SHA-256 of the whole token: a hit needs the right secret, and no secret is kept. */
  private readonly verified = new Lru<string, Verified>(CACHED_KEYS);

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 5_000,
  ) {}

  /** The key a token opens, or null (unknown, wrong secret, expired secret, revoked key). */
  async verify(token: string): Promise<Principal | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const tokenHash = hashSecret(token);
    const at = this.now().getTime();
    const hit = this.verified.get(tokenHash);
    if (hit !== undefined && hit.until > at) return hit.principal;
    const principal = await this.verifyInDb(parsed);
    if (principal !== null && this.cacheMs > 0) this.verified.set(tokenHash, { principal: principal.principal, until: Math.min(at + this.cacheMs, principal.expiresAt) });
    else this.verified.delete(tokenHash);
    return principal?.principal ?? null;
  }

  /** Drops a key's cached verifications (after a revocation or rotation). */
  forget(keyId: string): void {
    this.verified.deleteWhere((v) => v.principal.keyId === keyId);
  }

  private async verifyInDb(parsed: { keyId: string; secret: string }): Promise<{ principal: Principal; expiresAt: number } | null> {
    const rows = await this.db.query<{ name: string; role: Role; scopes: Scope[]; secret_hash: string; expires_at: Date | string | null }>(
      `SELECT k.name, k.role, k.scopes, s.secret_hash, s.expires_at FROM api_keys k JOIN api_key_secrets s ON s.key_id = k.id
       WHERE k.id = $1 AND k.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $2)`,
      [parsed.keyId, this.now()],
    );
    const presented = Buffer.from(hashSecret(parsed.secret), 'hex');
    // Compare against every live secret without stopping early: timing says nothing about which matched.
    let match: (typeof rows)[number] | undefined;
    for (const row of rows) {
      if (timingSafeEqual(presented, Buffer.from(row.secret_hash, 'hex'))) match = row;
    }
    if (!match) return null;
    return {
      principal: { keyId: parsed.keyId, name: match.name, role: match.role, scopes: match.scopes },
      expiresAt: match.expires_at === null ? Infinity : new Date(match.expires_at).getTime(),
    };
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
    this.forget(id);
    const now = this.now();
    const until = new Date(now.getTime() + overlapSeconds * 1000);
    // Secrets that ended long ago are useless rows; the current ones get the overlap's end.
    await tx.query('DELETE FROM api_key_secrets WHERE key_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2', [id, now]);
    await tx.query('UPDATE api_key_secrets SET expires_at = LEAST(coalesce(expires_at, $2), $2) WHERE key_id = $1', [id, until]);
    const secret = newSecret();
    await tx.query('INSERT INTO api_key_secrets (secret_hash, key_id, created_at) VALUES ($1, $2, $3)', [hashSecret(secret), id, now]);
    return { key: (await this.get(tx, id))!, token: `${TOKEN_PREFIX}${id}_${secret}` };
  }

  /** Revokes at once (idempotent); null when there is no such key. */
  async revoke(tx: Db, id: string): Promise<ApiKey | null> {
    await tx.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, this.now()]);
    this.forget(id);
    return this.get(tx, id);
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
