import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.js';
import { Lru } from '../storage/crypto/lru.js';
import { iso } from '../storage/sql.js';
import type { Principal, Role, Scope } from './authz.js';
import { hashSecret, matchSecret, SecretRing } from './secrets.js';

export { hashSecret } from './secrets.js';

/**
 * API keys. A token is `sl_<keyId>_<secret>`: the key id finds the row, the secret proves
 * possession. Secrets and their rotation are the SecretRing's (src/api/secrets.ts), shared with
 * the ingest's write keys.
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

export function parseToken(token: string): { keyId: string; secret: string } | null {
  const match = TOKEN.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
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
  private readonly secrets: SecretRing;
  /** By SHA-256 of the whole token: a hit needs the right secret, and no secret is kept. */
  private readonly verified = new Lru<string, Verified>(CACHED_KEYS);

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 5_000,
  ) {
    this.secrets = new SecretRing('api_key_secrets', now);
  }

  /** The key a token opens, or null (unknown, wrong secret, expired secret, revoked key). */
  async verify(token: string): Promise<Principal | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const tokenHash = hashSecret(token);
    const at = this.now().getTime();
    const hit = this.verified.get(tokenHash);
    if (hit !== undefined && hit.until > at) return hit.principal;
    const found = await this.verifyInDb(parsed);
    if (found !== null && this.cacheMs > 0) this.verified.set(tokenHash, { principal: found.principal, until: Math.min(at + this.cacheMs, found.expiresAt) });
    else this.verified.delete(tokenHash);
    return found?.principal ?? null;
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
    const match =
      rows[
        matchSecret(
          parsed.secret,
          rows.map((row) => row.secret_hash),
        )
      ];
    if (!match) return null;
    return {
      principal: { keyId: parsed.keyId, name: match.name, role: match.role, scopes: match.scopes },
      expiresAt: match.expires_at === null ? Infinity : new Date(match.expires_at).getTime(),
    };
  }

  async create(tx: Db, input: { name: string; role: Role; scopes: readonly Scope[]; createdBy: string | null }): Promise<IssuedKey> {
    const id = randomBytes(8).toString('hex');
    const at = this.now();
    await tx.query('INSERT INTO api_keys (id, name, role, scopes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      input.name,
      input.role,
      [...input.scopes],
      at,
      input.createdBy,
    ]);
    const secret = await this.secrets.add(tx, id, at);
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
    const secret = await this.secrets.rotate(tx, id, overlapSeconds);
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
    this.forget(id);
    for (const row of rows) this.forget(row.id);
    return rows
      .map((r) => r.id)
      .filter((k) => k !== id)
      .sort();
  }

  private async withSecrets(db: Db, row: KeyRow): Promise<ApiKey> {
    const secrets = row.revoked_at ? [] : await this.secrets.live(db, row.id);
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      scopes: row.scopes,
      createdAt: iso(row.created_at)!,
      createdBy: row.created_by,
      revokedAt: iso(row.revoked_at),
      secrets,
    };
  }
}
