// A new embedded store is unpacked from the migrated template `npm run build` makes, instead of
// running initdb in WebAssembly and every migration at first start.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { openDb } from '../../src/storage/open.js';
import { pgliteTemplate, unpackPgliteTemplate } from '../../src/storage/pglite-template.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sl-template-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** One ustar entry (header + body padded to 512 bytes). */
function tarEntry(name: string, body: Buffer, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000600\0', 100);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(type, 156);
  header.write('ustar\0', 257);
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

describe('the embedded store template', () => {
  it('exists after the build, for the current migrations', () => {
    expect(pgliteTemplate(), 'npm run build writes dist/storage/pglite-template.tar.gz').not.toBeNull();
  });

  it('makes a new data directory an existing, migrated store that takes writes and reopens', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const db = await openDb({ dataDir });
    try {
      const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([...MIGRATIONS].map((m) => m.version).sort((a, b) => a - b));
      await db.query("INSERT INTO suppressions (subject_hash) VALUES ('template-probe')");
    } finally {
      await db.close();
    }
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    const again = await openDb({ dataDir, create: false });
    try {
      const [row] = await again.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(row!.n).toBe(MIGRATIONS.length);
      expect(await again.query('SELECT subject_hash FROM suppressions')).toEqual([{ subject_hash: 'template-probe' }]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('leaves the zeros of the WAL segment as a hole instead of writing them', () => {
    const dataDir = path.join(tempDir(), 'unpacked');
    unpackPgliteTemplate(pgliteTemplate()!, dataDir);
    const wal = path.join(dataDir, 'pg_wal', '000000010000000000000001');
    const stat = statSync(wal);
    expect(stat.size).toBe(16 * 1024 * 1024);
    expect(stat.blocks * 512).toBeLessThan(stat.size / 2);
  });

  it('refuses an archive entry outside the data directory, and writes nothing there', () => {
    const base = tempDir();
    const archive = gzipSync(Buffer.concat([tarEntry('../escaped', Buffer.from('x')), Buffer.alloc(1024)]));
    expect(() => unpackPgliteTemplate(archive, path.join(base, 'data'))).toThrow('entry "../escaped" is outside the data directory');
    expect(existsSync(path.join(base, 'escaped'))).toBe(false);
  });

  it('refuses an archive without a database in it', () => {
    const archive = gzipSync(Buffer.concat([tarEntry('/notes.txt', Buffer.from('hello')), Buffer.alloc(1024)]));
    expect(() => unpackPgliteTemplate(archive, path.join(tempDir(), 'data'))).toThrow('the archive holds no PG_VERSION');
  });
});
