import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../storage/db.js';
import { iso } from '../storage/sql.js';
import { writeAudit, type AuditRecord } from './audit.js';

/**
 * Configuration files the API writes (custom classifiers, the policy file): every accepted version
 * is kept in `config_versions` with its author and time, audited, and the file is replaced
 * atomically (rename) so the engine's watcher only ever reads a complete file.
 */

export type ConfigKind = 'classifier' | 'policy';

export interface ConfigVersion {
  kind: ConfigKind;
  name: string;
  version: number;
  sha256: string;
  authorKeyId: string | null;
  createdAt: string;
}

export interface ConfigVersionWithContent extends ConfigVersion {
  content: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Writes `content` to a new temp file in the file's directory (so the later rename cannot cross
 * file systems), flushed to disk, and returns its path. The temp name does not end in .yaml, so
 * neither the loader nor the watcher looks at it.
 */
async function writeTemp(file: string, content: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  return temp;
}

/** Concurrent writers of one config (in any API process) take turns; held until the transaction ends. */
async function lockConfig(tx: Db, kind: ConfigKind, name: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`segmentloom:config:${kind}:${name}`]);
}

export interface SavedVersion {
  previous: ConfigVersion | null;
  current: ConfigVersion;
  /** What the file held before (it may have been edited by hand, not through the API); null if absent. */
  replaced: string | null;
}

/**
 * Records the next version of a config file with its audit entry, and replaces the file: both
 * happen or neither does, as far as the file is concerned. The order is what makes it so:
 *
 *  1. one transaction, under the config's advisory lock: read what the file holds, insert the
 *     version, write the new content to a flushed temp file, insert the audit entry (`audit`);
 *  2. COMMIT — the version and its audit entry are durable before the file changes;
 *  3. a second short transaction under the same lock: rename the temp file over the file if this
 *     version is still the latest (a writer that committed after this one places its own, newer
 *     file), else discard it. The lock makes "latest" and the rename one step, so the file on disk
 *     is always the newest version and versions stay dense.
 *
 * A failure in 1 or 2 (the audit insert included) rolls back and removes the temp file: nothing is
 * recorded and the file is unchanged. A crash at any point cannot leave a changed file without its
 * audit entry; at worst (a crash or a failed rename between 2 and 3) the entry exists while the file
 * still holds the previous content, and an orphan `.*.tmp` file nothing loads. Writing again mends it.
 */
export async function writeConfigVersion(
  db: Db,
  input: { kind: ConfigKind; name: string; content: string; authorKeyId: string | null; file: string },
  audit: (saved: SavedVersion) => AuditRecord,
): Promise<SavedVersion> {
  // Set while a temp file exists that is not (yet) the file; `as` keeps TS from narrowing it to null.
  let temp = null as string | null;
  try {
    const saved = await db.transaction(async (tx) => {
      await lockConfig(tx, input.kind, input.name);
      const previous = await latestVersion(tx, input.kind, input.name);
      const replaced = await readFile(input.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const [row] = await tx.query<VersionRow>(
        `INSERT INTO config_versions (kind, name, version, content, sha256, author_key_id) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING kind, name, version, sha256, author_key_id, created_at`,
        [input.kind, input.name, (previous?.version ?? 0) + 1, input.content, sha256(input.content), input.authorKeyId],
      );
      const result: SavedVersion = { previous, current: toVersion(row!), replaced };
      temp = await writeTemp(input.file, input.content);
      await writeAudit(tx, audit(result));
      return result;
    });
    await db.transaction(async (tx) => {
      await lockConfig(tx, input.kind, input.name);
      const latest = await latestVersion(tx, input.kind, input.name);
      if (latest?.version !== saved.current.version) return;
      await rename(temp!, input.file);
      temp = null;
    });
    return saved;
  } finally {
    if (temp !== null) await rm(temp, { force: true });
  }
}

export async function latestVersion(db: Db, kind: ConfigKind, name: string): Promise<ConfigVersion | null> {
  const [row] = await db.query<VersionRow>(
    'SELECT kind, name, version, sha256, author_key_id, created_at FROM config_versions WHERE kind = $1 AND name = $2 ORDER BY version DESC LIMIT 1',
    [kind, name],
  );
  return row ? toVersion(row) : null;
}

export async function listVersions(db: Db, kind: ConfigKind, name: string): Promise<ConfigVersion[]> {
  const rows = await db.query<VersionRow>(
    'SELECT kind, name, version, sha256, author_key_id, created_at FROM config_versions WHERE kind = $1 AND name = $2 ORDER BY version DESC',
    [kind, name],
  );
  return rows.map(toVersion);
}

export async function getVersion(db: Db, kind: ConfigKind, name: string, version: number): Promise<ConfigVersionWithContent | null> {
  const [row] = await db.query<VersionRow & { content: string }>(
    'SELECT kind, name, version, sha256, author_key_id, created_at, content FROM config_versions WHERE kind = $1 AND name = $2 AND version = $3',
    [kind, name, version],
  );
  return row ? { ...toVersion(row), content: row.content } : null;
}

interface VersionRow {
  kind: ConfigKind;
  name: string;
  version: number;
  sha256: string;
  author_key_id: string | null;
  created_at: Date;
}

function toVersion(row: VersionRow): ConfigVersion {
  return {
    kind: row.kind,
    name: row.name,
    version: Number(row.version),
    sha256: row.sha256,
    authorKeyId: row.author_key_id,
    createdAt: iso(row.created_at)!,
  };
}
