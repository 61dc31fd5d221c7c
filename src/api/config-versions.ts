import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../storage/db.js';
import { iso } from '../storage/sql.js';

/**
 * Configuration files the API writes (custom classifiers, the policy file): every accepted version
 * is kept in `config_versions` with its author and time, and the file is replaced atomically so
 * the engine's watcher only ever reads a complete file.
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
 * Writes via a temp file in the same directory (so the rename cannot cross filesystems), flushed
 * before the rename: a crash leaves the old file or the new one, never half of one. The temp name
 * does not end in .yaml, so neither the loader nor the watcher looks at it.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Records the next version and writes the file, under a per-config advisory lock held until the
 * transaction ends: concurrent writers (in any API process) take turns, so version numbers are
 * dense and the file on disk is always the newest version.
 */
export async function saveVersion(
  tx: Db,
  input: { kind: ConfigKind; name: string; content: string; authorKeyId: string | null; file: string },
): Promise<{ previous: ConfigVersion | null; current: ConfigVersion; replaced: string | null }> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`segmentloom:config:${input.kind}:${input.name}`]);
  const previous = await latestVersion(tx, input.kind, input.name);
  // Read under the lock: what this write replaces (it may have been edited by hand, not through the API).
  const replaced = await readFile(input.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const [row] = await tx.query<VersionRow>(
    `INSERT INTO config_versions (kind, name, version, content, sha256, author_key_id) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING kind, name, version, sha256, author_key_id, created_at`,
    [input.kind, input.name, (previous?.version ?? 0) + 1, input.content, sha256(input.content), input.authorKeyId],
  );
  await writeFileAtomic(input.file, input.content);
  return { previous, current: toVersion(row!), replaced };
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
