// The file pipeline with state: accepted events land encrypted in the store as source-level
// policies left them, the shared inventory records every point with the destinations that got
// it, a DELETE request erases a subject, and the summary says what was stored and found.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/run.js';
import { listDataPoints } from '../../src/inventory/review.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { exportSubject } from '../../src/storage/access.js';
import type { Storage } from '../../src/storage/storage.js';
import { policyYaml, sampleEvent, tempDir } from '../pipeline/helpers.js';
import { ENGINES, ndjson, testStore, writeEngineConfig, type TestStore } from './helpers.js';

const EMAIL = 'ada@example.com';
const deep = JSON.parse(`${'{"a":'.repeat(12)}1${'}'.repeat(12)}`);

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

/** Every row of every table the engine writes, as text: what someone with a database copy sees. */
async function rawRows(storage: Storage): Promise<string> {
  const tables = ['events', 'profiles', 'identities', 'data_keys', 'inventory_points', 'subject_requests', 'suppressions', 'alert_outbox'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await storage.db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
    parts.push(...rows.map((r) => r.row));
  }
  // bytea columns render as hex in ::text; decode them too so a plaintext payload would show.
  const payloads = await storage.db.query<{ payload: Buffer }>('SELECT payload FROM events');
  parts.push(...payloads.map((p) => Buffer.from(p.payload).toString('latin1')));
  return parts.join('\n');
}

describe.each(ENGINES)('file pipeline with storage (%s)', (engine) => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  async function setup() {
    const store = await testStore(engine, 'file_storage');
    stores.push(store);
    const dir = tempDir();
    const { config, file } = await writeEngineConfig(
      `source: web
limits: { maxDepth: 8 }
batch: { size: 2 }
${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}
${store.yaml}
inventory: { flushIntervalMs: 100 }
`,
      dir,
    );
    const input = join(dir, 'in.ndjson');
    const withoutId = sampleEvent({ userId: 'user-b', anonymousId: 'anon-b' });
    delete withoutId.messageId;
    writeFileSync(
      input,
      ndjson([
        sampleEvent({ messageId: 'a', userId: 'user-a', anonymousId: 'anon-a' }),
        withoutId,
        // Rejected half-way (too deep) after a detected email: it must add nothing anywhere.
        { type: 'track', event: 'Deep Event', messageId: 'deep', userId: 'user-c', properties: { contact_email: 'deep@example.com', deep } },
        sampleEvent({ messageId: 'dropped', userId: 'user-a', properties: { internal_test: true, email: EMAIL } }),
        { type: 'identify', messageId: 'id-a', userId: 'user-a', traits: { email: EMAIL, plan: 'pro' } },
      ]),
    );
    return { store, dir, config, file, input };
  }

  it('stores accepted events encrypted, without blocked fields, and records the inventory', async () => {
    const { store, dir, config, input } = await setup();
    const result = await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out'), env: {} });
    expect(result.totals.totals.deadLettered.get('too_deep')).toBe(1);
    expect(result.totals.totals.stored).toBe(3);
    expect(result.durable).toEqual({
      storedEvents: 3,
      duplicateEvents: 0,
      erasedEvents: 0,
      inventory: { newDataPoints: expect.any(Number), driftedDataPoints: 0 },
    });
    // The walk's tallies count accepted events only.
    expect(result.tally.entries().some((p) => p.event === 'Deep Event')).toBe(false);

    const storage = await store.open();
    try {
      const deps = { db: storage.db, dataKeys: storage.dataKeys, hasher: storage.hasher };
      const a = await exportSubject(deps, { userId: 'user-a' });
      const events = a.subjects[0]!.events;
      expect(events.map((e) => e.messageId).sort()).toEqual(['a', 'id-a']);
      const stored = events.find((e) => e.messageId === 'a')!.payload as Record<string, any>;
      expect(stored.properties.email).toBe(EMAIL);
      expect(stored.properties).not.toHaveProperty('password');
      expect(stored.properties.payment.card).not.toHaveProperty('number');
      expect(stored.properties.total).toBe(42);
      expect(a.subjects[0]!.profile).toMatchObject({ plan: 'pro' });

      // No messageId: a deterministic one is derived from where the message sat.
      const b = await exportSubject(deps, { userId: 'user-b' });
      expect(b.subjects[0]!.events).toHaveLength(1);
      expect(b.subjects[0]!.events[0]!.messageId).toMatch(/^sl-derived-[0-9a-f]{32}$/);
      expect((await exportSubject(deps, { userId: 'user-c' })).subjects[0]!.events).toEqual([]);

      const raw = await rawRows(storage);
      expect(raw).toContain('xxx@xxxxxxx.xxx'); // the scan does read the inventory rows
      expect(raw).not.toContain(EMAIL);
      expect(raw).not.toContain('deep@example.com');
      expect(raw).not.toContain('hunter2-secret');
      expect(raw).not.toContain('user-a');

      const points = await listDataPoints(storage.db);
      const point = (path: string, event = 'Order Completed') => points.find((p) => p.source === 'web' && p.event === event && p.path === path);
      expect(points.some((p) => p.event === 'Deep Event')).toBe(false);
      // Hashed for ads still counts as received; analytics' allow-list removed it.
      expect(point('properties.email')).toMatchObject({ category: 'email', count: 3, destinations: ['ads', 'warehouse'], status: 'inbox' });
      expect(point('properties.email')!.example).toBe('xxx@xxxxxxx.xxx');
      // Blocked at the source: nobody received it, and the example is masked.
      expect(point('properties.password')).toMatchObject({ category: 'password', classification: 'red', destinations: [] });
      expect(point('properties.password')!.example).not.toContain('hunter2');
      expect(point('properties.total')).toMatchObject({ category: null, destinations: ['ads', 'analytics', 'warehouse'] });
      // The drop_event policy: seen, but sent nowhere.
      expect(point('properties.internal_test')).toMatchObject({ count: 1, destinations: [] });
      expect(point('traits.email', 'identify')).toMatchObject({ category: 'email' });
      expect(result.durable!.inventory!.newDataPoints).toBe(points.length);
    } finally {
      await storage.close();
    }
  });

  it('erases a subject on a DELETE request after ingestion', async () => {
    const { store, dir, config, input } = await setup();
    await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out'), env: {} });
    const storage = await store.open();
    try {
      const deps = { db: storage.db, dataKeys: storage.dataKeys, hasher: storage.hasher };
      const request = await storage.requests.submit('DELETE', { userId: 'user-a' });
      expect(request.status).toBe('FINISHED');
      expect(request.receipt!.removed.events).toBe(2);
      const after = await exportSubject(deps, { userId: 'user-a' });
      expect(after.subjects[0]).toMatchObject({ events: [], unreadableEvents: 0, profile: null });
      const hash = storage.hasher.subjectHash('user-a');
      expect(await storage.db.query('SELECT 1 FROM events WHERE subject_hash = $1', [hash])).toEqual([]);
      // No key is left: only a tombstone with the erasure time.
      expect(await storage.db.query('SELECT 1 FROM data_keys WHERE subject_hash = $1 AND (wrapped IS NOT NULL OR erased_at IS NULL)', [hash])).toEqual([]);
      // Nobody else's data went with it.
      expect((await exportSubject(deps, { userId: 'user-b' })).subjects[0]!.events).toHaveLength(1);
    } finally {
      await storage.close();
    }
  });

  it('summarizes stored events and new data points from the CLI', async () => {
    const { file, dir, input } = await setup();
    const stdout = capture();
    expect(await run(['--config', file, '--input', input, '--out', join(dir, 'out'), '--json'], { stdout, stderr: capture(), env: {} })).toBe(0);
    const summary = JSON.parse(stdout.text);
    expect(summary.stored).toEqual({ events: 3, alreadyStored: 0, erased: 0 });
    expect(summary.inventory.newDataPoints).toBeGreaterThan(5);

    // Again: the events with an id are already stored, and no point is new any more.
    const text = capture();
    expect(await run(['--config', file, '--input', input, '--out', join(dir, 'out2')], { stdout: text, stderr: capture(), env: {} })).toBe(0);
    expect(text.text).toMatch(/stored events\s+1\s+\(2 already stored\)/);
    expect(text.text).toMatch(/new data points\s+0/);
  });
});
