import type { Db } from '../storage/db.js';
import { iso, num } from '../storage/sql.js';

/**
 * The audit log: who (key id and role), when, what (action and target), before and after.
 * Append-only in the database: triggers reject UPDATE, DELETE and TRUNCATE from any session, the
 * application's included (a database owner could still drop the triggers on purpose; see migration
 * 006). Nothing here calls for erasing an entry — retention and subject erasure never touch this
 * table — which is why entries must never hold personal data: subjects appear as lookup hashes,
 * data points as (source, event, path), configs as version numbers and digests.
 */

export interface Actor {
  /** null for the CLI, which acts with database access rather than a key. */
  keyId: string | null;
  role: string;
}

export interface AuditRecord {
  actor: Actor;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId?: string | null | undefined;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: Actor;
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export const CLI_ACTOR: Actor = { keyId: null, role: 'cli' };

/** Writes one entry; call it inside the mutation's transaction so neither exists without the other. */
export async function writeAudit(db: Db, record: AuditRecord): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_key_id, actor_role, action, target_type, target_id, before, after, request_id)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`,
    [
      record.actor.keyId,
      record.actor.role,
      record.action,
      record.targetType,
      record.targetId,
      record.before === undefined || record.before === null ? null : JSON.stringify(record.before),
      record.after === undefined || record.after === null ? null : JSON.stringify(record.after),
      record.requestId ?? null,
    ],
  );
}

export interface AuditFilters {
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  actorKeyId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Keyset cursor: entries with a larger id only. */
  after?: number | undefined;
  limit?: number | undefined;
}

interface AuditRow {
  id: number | string;
  at: Date;
  actor_key_id: string | null;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

/** Entries oldest first, filtered; page with `after` = the last id seen. */
export async function listAudit(db: Db, filters: AuditFilters = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, op: string, value: unknown) => {
    if (value === undefined) return;
    params.push(value);
    where.push(`${column} ${op} $${params.length}`);
  };
  add('action', '=', filters.action);
  add('target_type', '=', filters.targetType);
  add('target_id', '=', filters.targetId);
  add('actor_key_id', '=', filters.actorKeyId);
  add('at', '>=', filters.since);
  add('at', '<', filters.until);
  add('id', '>', filters.after);
  params.push(filters.limit ?? 100);
  const rows = await db.query<AuditRow>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEntry);
}

/** Every matching entry, page by page (for the NDJSON export: memory stays bounded). */
export async function* iterateAudit(db: Db, filters: Omit<AuditFilters, 'limit'>, pageSize = 500): AsyncGenerator<AuditEntry> {
  let after = filters.after;
  for (;;) {
    const page = await listAudit(db, { ...filters, after, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: num(row.id),
    at: iso(row.at)!,
    actor: { keyId: row.actor_key_id, role: row.actor_role },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    // Both drivers hand jsonb back parsed.
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.request_id,
  };
}
