// Array parameters reach PGlite as array literals written by the Db seam (pglite-db.ts): every
// element must come back exactly as sent, whatever characters it holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptDb } from '../../src/storage/db.js';
import { openDb } from '../../src/storage/open.js';

let db: ScriptDb;
beforeAll(async () => {
  db = await openDb({});
}, 180_000);
afterAll(async () => {
  await db?.close();
});

describe('PGlite array parameters', () => {
  it('round-trips text with quotes, backslashes, braces, commas, spaces, NULL-like words and unicode', async () => {
    const texts = ['plain', '', ' ', 'a"b', 'back\\slash', '\\"', '{braces}', 'a,b', 'NULL', 'null', "it's", 'ü✓😀', 'line\nbreak', '\t'];
    const rows = await db.query<{ t: string | null; n: number }>('SELECT t, n::int FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n', [
      [...texts, null],
    ]);
    expect(rows.map((r) => r.t)).toEqual([...texts, null]);
  });

  it('round-trips bytea, numbers, booleans, timestamps and uuids, in one statement as the event store does', async () => {
    const bytes = [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), Buffer.from('"\\{,}')];
    const at = [new Date('2024-01-02T03:04:05.678Z'), '2025-06-01T00:00:00.000Z'];
    const rows = await db.query<{ b: Buffer; i: number; f: boolean; t: Date; u: string }>(
      'SELECT b, i, f, t, u FROM unnest($1::bytea[], $2::int[], $3::boolean[], $4::timestamptz[], $5::uuid[]) WITH ORDINALITY AS x(b, i, f, t, u, n) ORDER BY n',
      [bytes.slice(0, 2), [-7, 42], [true, false], at, ['5f1c0c1e-8a43-4f7e-9a51-0b8d2a3c4d5e', '00000000-0000-0000-0000-000000000000']],
    );
    expect(rows.map((r) => Buffer.from(r.b))).toEqual(bytes.slice(0, 2));
    expect(rows.map((r) => [r.i, r.f, new Date(r.t).toISOString(), r.u])).toEqual([
      [-7, true, '2024-01-02T03:04:05.678Z', '5f1c0c1e-8a43-4f7e-9a51-0b8d2a3c4d5e'],
      [42, false, '2025-06-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000'],
    ]);
    const [odd] = await db.query<{ b: Buffer }>('SELECT b FROM unnest($1::bytea[]) AS u(b)', [[bytes[2]]]);
    expect(Buffer.from(odd!.b)).toEqual(bytes[2]);
  });

  it('matches arrays used with ANY, inside a transaction too', async () => {
    await db.exec('CREATE TABLE array_probe (k text PRIMARY KEY)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO array_probe SELECT * FROM unnest($1::text[])', [['a"1', 'b\\2', 'c']]);
      const rows = await tx.query<{ k: string }>('SELECT k FROM array_probe WHERE k = ANY($1::text[]) ORDER BY k', [['a"1', 'b\\2', 'zzz']]);
      expect(rows.map((r) => r.k)).toEqual(['a"1', 'b\\2']);
    });
  });
});
