import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MIGRATIONS } from './migrations/index.js';

/**
 * A new PGlite store costs initdb in WebAssembly (~9–15 s on this machine) and the migrations
 * before its first event. `npm run build` (scripts/build-pglite-template.js) runs both once and
 * keeps the result as a tarball (PGlite's dumpDataDir, ~5 MB); a new store is loaded from it
 * instead (unpacked here, not through PGlite's loadDataDir, which holds the whole cluster in
 * WebAssembly memory first: +100 MB of RSS and a second more). The fingerprint names the migrations the tarball holds: a tarball from
 * other migrations (a build that skipped the script) is not used, the store is made the slow way.
 */
// Under dist/ whether this module runs from dist/storage or (tests) from src/storage: both are two levels down.
export const PGLITE_TEMPLATE_FILE = fileURLToPath(new URL('../../dist/storage/pglite-template.tar.gz', import.meta.url));
const FINGERPRINT_FILE = `${PGLITE_TEMPLATE_FILE}.json`;

/** The migrations a template must hold to be used: every version with the checksum of its SQL. */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) hash.update(`${m.version}\u0000${createHash('sha256').update(m.sql).digest('hex')}\n`);
  return hash.digest('hex');
}

/** The template tarball (gzip) when one was built for the current migrations, else null. */
export function pgliteTemplate(): Buffer | null {
  if (!existsSync(PGLITE_TEMPLATE_FILE) || !existsSync(FINGERPRINT_FILE)) return null;
  try {
    const recorded = JSON.parse(readFileSync(FINGERPRINT_FILE, 'utf8')) as { migrations?: unknown };
    if (recorded.migrations !== migrationsFingerprint()) return null;
  } catch {
    return null;
  }
  return readFileSync(PGLITE_TEMPLATE_FILE);
}

/**
 * Unpacks the template (a ustar archive of a data directory, as PGlite's dumpDataDir writes it:
 * directories and regular files only) into `dir`. A file's trailing zeros (most of the 16 MB WAL
 * segment) are left as a hole rather than written.
 */
export function unpackPgliteTemplate(tarGz: Buffer, dir: string): void {
  const tar = gunzipSync(tarGz);
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = [field(header, 345, 155), field(header, 0, 100)].filter((part) => part !== '').join('/');
    const size = Number.parseInt(field(header, 124, 12) || '0', 8);
    const mode = Number.parseInt(field(header, 100, 8) || '600', 8) & 0o777;
    const type = String.fromCharCode(header[156]!);
    const target = resolve(root, `.${sep}${name}`);
    if (target !== root && !target.startsWith(root + sep))
      throw new Error(`embedded store template: entry ${JSON.stringify(name)} is outside the data directory`);
    const body = tar.subarray(at + 512, at + 512 + size);
    if (type === '5') mkdirSync(target, { recursive: true, mode: 0o700 });
    else if (type === '0' || type === '\0') writeSparse(target, body, mode);
    else throw new Error(`embedded store template: entry ${JSON.stringify(name)} has unsupported type ${JSON.stringify(type)}`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  if (!existsSync(join(root, 'PG_VERSION'))) throw new Error('embedded store template: the archive holds no PG_VERSION');
}

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw
    .subarray(0, end === -1 ? length : end)
    .toString('utf8')
    .trim();
}

function writeSparse(path: string, body: Buffer, mode: number): void {
  mkdirSync(resolve(path, '..'), { recursive: true, mode: 0o700 });
  let used = body.length;
  while (used > 0 && body[used - 1] === 0) used--;
  const fd = openSync(path, 'w', mode);
  try {
    if (used > 0) writeSync(fd, body, 0, used, 0);
    if (used < body.length) ftruncateSync(fd, body.length);
  } finally {
    closeSync(fd);
  }
}

/** Writes the template (a migrated store's dumpDataDir) and its fingerprint; for the build script. */
export function writePgliteTemplate(tarball: Uint8Array): void {
  writeFileSync(PGLITE_TEMPLATE_FILE, tarball);
  writeFileSync(FINGERPRINT_FILE, `${JSON.stringify({ migrations: migrationsFingerprint() })}\n`);
}
