import { randomBytes } from 'node:crypto';
import type { Scope } from './authz.js';
import { hashSecret, matchSecret, SecretRing } from './secrets.js';
import { Lru } from '../storage/crypto/lru.js';
import type { Db } from '../storage/db.js';
import { iso } from '../storage/sql.js';
import { type Actor, writeAudit } from './audit.js';

/**
 * Write keys: what Segment's tracking clients send as their `writeKey`. A key is
 * `wk_<keyId>_<secret>` and opens exactly one source (the inventory's `source`), scoped
 * events:write. Secrets are hashed and rotated with overlap by the same SecretRing as API keys,
 * in their own tables: a write key is public (it ships in web pages), so it opens nothing else.
 *
 * A verified write key is trusted for a few seconds (`cacheMs`, never past its secret's expiry),
 * like API keys: a revocation or rotation through this store takes effect here at once, in other
 * ingest processes within `cacheMs`. A busy ingest then reads the store once per key every few
 * seconds instead of once per batch.
 */

export const WRITE_KEY_PREFIX = 'wk_';
const WRITE_KEY = /^wk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const SCOPE: Scope = 'events:write';

export interface WriteKey {
  id: string;
  source: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  secrets: Array<{ createdAt: string; expiresAt: string | null }>;
}

export interface IssuedWriteKey {
  key: WriteKey;
  /** The only time the write key exists outside the client: it is not stored. */
  writeKey: string;
}

/** Who a verified write key speaks for. */
export interface WriteKeyPrincipal {
  keyId: string;
  source: string;
}

interface Row {
  id: string;
  source: string;
  scopes: Scope[];
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
}

const CACHED_KEYS = 1_000;

export class WriteKeyStore {
  private readonly secrets: SecretRing;
  /** By SHA-256 of the whole write key: a hit needs the right secret, and no secret is kept. */
  private readonly verified = new Lru<string, { principal: WriteKeyPrincipal; until: number }>(CACHED_KEYS);

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 5_000,
  ) {
    this.secrets = new SecretRing('write_key_secrets', now);
  }

  /** Drops a key's cached verifications (after a revocation or rotation). */
  forget(keyId: string): void {
    this.verified.deleteWhere((v) => v.principal.keyId === keyId);
  }

  /** The source a write key opens, or null (malformed, unknown, wrong or expired secret, revoked, no events:write). */
  async verify(writeKey: string): Promise<WriteKeyPrincipal | null> {
    const match = WRITE_KEY.exec(writeKey);
    if (!match) return null;
    const [, keyId, secret] = match as unknown as [string, string, string];
    const tokenHash = hashSecret(writeKey);
    const at = this.now().getTime();
    const hit = this.verified.get(tokenHash);
    if (hit !== undefined && hit.until > at) return hit.principal;
    const rows = await this.db.query<{ source: string; scopes: Scope[]; secret_hash: string; expires_at: Date | string | null }>(
      `SELECT k.source, k.scopes, s.secret_hash, s.expires_at FROM write_keys k JOIN write_key_secrets s ON s.key_id = k.id
       WHERE k.id = $1 AND k.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $2)`,
      [keyId, new Date(at)],
    );
    const row =
      rows[
        matchSecret(
          secret,
          rows.map((r) => r.secret_hash),
        )
      ];
    if (!row?.scopes.includes(SCOPE)) {
      this.verified.delete(tokenHash);
      return null;
    }
    const principal = { keyId, source: row.source };
    const expiresAt = row.expires_at === null ? Number.POSITIVE_INFINITY : new Date(row.expires_at).getTime();
    if (this.cacheMs > 0) this.verified.set(tokenHash, { principal, until: Math.min(at + this.cacheMs, expiresAt) });
    return principal;
  }

  async create(tx: Db, input: { source: string; createdBy: string | null }): Promise<IssuedWriteKey> {
    const id = randomBytes(8).toString('hex');
    const at = this.now();
    await tx.query('INSERT INTO write_keys (id, source, scopes, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [
      id,
      input.source,
      [SCOPE],
      at,
      input.createdBy,
    ]);
    const secret = await this.secrets.add(tx, id, at);
    return { key: (await this.get(tx, id))!, writeKey: `${WRITE_KEY_PREFIX}${id}_${secret}` };
  }

  async get(db: Db, id: string): Promise<WriteKey | null> {
    const [row] = await db.query<Row>('SELECT * FROM write_keys WHERE id = $1', [id]);
    return row ? this.withSecrets(db, row) : null;
  }

  async list(): Promise<WriteKey[]> {
    const rows = await this.db.query<Row>('SELECT * FROM write_keys ORDER BY created_at, id');
    return Promise.all(rows.map((row) => this.withSecrets(this.db, row)));
  }

  /** A new write key for the same source; the current one keeps working for `overlapSeconds`. */
  async rotate(tx: Db, id: string, overlapSeconds: number): Promise<IssuedWriteKey | null> {
    const [row] = await tx.query<Row>('SELECT * FROM write_keys WHERE id = $1 AND revoked_at IS NULL FOR UPDATE', [id]);
    if (!row) return null;
    const secret = await this.secrets.rotate(tx, id, overlapSeconds);
    this.forget(id);
    return { key: (await this.get(tx, id))!, writeKey: `${WRITE_KEY_PREFIX}${id}_${secret}` };
  }

  /** Revokes at once (idempotent); null when there is no such key. */
  async revoke(tx: Db, id: string): Promise<WriteKey | null> {
    await tx.query('UPDATE write_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, this.now()]);
    this.forget(id);
    return this.get(tx, id);
  }

  private async withSecrets(db: Db, row: Row): Promise<WriteKey> {
    return {
      id: row.id,
      source: row.source,
      scopes: row.scopes,
      createdAt: iso(row.created_at)!,
      createdBy: row.created_by,
      revokedAt: iso(row.revoked_at),
      secrets: row.revoked_at ? [] : await this.secrets.live(db, row.id),
    };
  }
}

/** What the audit log keeps of a write key: never a secret or its hash. */
export function writeKeyState(key: WriteKey | null) {
  return key && { source: key.source, scopes: key.scopes, revokedAt: key.revokedAt, liveSecrets: key.secrets.length };
}

/**
 * The audited changes to write keys, one transaction each: the API's routes and the CLI's
 * `ingest keys` commands both go through these, so both leave the same audit entries.
 */
export const auditedWriteKeys = {
  async create(db: Db, store: WriteKeyStore, input: { source: string; actor: Actor; requestId?: string | undefined }): Promise<IssuedWriteKey> {
    return db.transaction(async (tx) => {
      const issued = await store.create(tx, { source: input.source, createdBy: input.actor.keyId });
      await writeAudit(tx, {
        actor: input.actor,
        action: 'write_keys.create',
        targetType: 'write_key',
        targetId: issued.key.id,
        before: null,
        after: writeKeyState(issued.key),
        requestId: input.requestId,
      });
      return issued;
    });
  },

  /** null when there is no such key, or it is revoked. */
  async rotate(
    db: Db,
    store: WriteKeyStore,
    input: { id: string; overlapSeconds: number; actor: Actor; requestId?: string | undefined },
  ): Promise<IssuedWriteKey | null> {
    // Forgotten again after the commit: a verification meanwhile could have cached the old state.
    return forgetAfter(store, input.id, () =>
      db.transaction(async (tx) => {
        const before = await store.get(tx, input.id);
        const rotated = before && !before.revokedAt ? await store.rotate(tx, input.id, input.overlapSeconds) : null;
        if (rotated)
          await writeAudit(tx, {
            actor: input.actor,
            action: 'write_keys.rotate',
            targetType: 'write_key',
            targetId: input.id,
            before: writeKeyState(before),
            after: { ...writeKeyState(rotated.key), overlapSeconds: input.overlapSeconds },
            requestId: input.requestId,
          });
        return rotated;
      }),
    );
  },

  /** null when there is no such key; revoking a revoked key changes nothing and is still audited. */
  async revoke(db: Db, store: WriteKeyStore, input: { id: string; actor: Actor; requestId?: string | undefined }): Promise<WriteKey | null> {
    return forgetAfter(store, input.id, () =>
      db.transaction(async (tx) => {
        const before = await store.get(tx, input.id);
        if (!before) return null;
        const after = await store.revoke(tx, input.id);
        await writeAudit(tx, {
          actor: input.actor,
          action: 'write_keys.revoke',
          targetType: 'write_key',
          targetId: input.id,
          before: writeKeyState(before),
          after: writeKeyState(after),
          requestId: input.requestId,
        });
        return after;
      }),
    );
  },
};

async function forgetAfter<T>(store: WriteKeyStore, keyId: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    store.forget(keyId);
  }
}
