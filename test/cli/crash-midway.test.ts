// Fault: the engine binary killed with SIGKILL in the middle of an inventory flush and in the middle
// of a deletion, on PostgreSQL, then started again. The window is hit deterministically without
// test hooks in the engine: the test holds a lock the step needs (a row lock the flush's
// SELECT … FOR UPDATE waits on, after its INSERT of new points; the shared side of the examples
// lock the erasure takes exclusively, after it destroyed keys and deleted events), waits until
// pg_stat_activity shows the engine's backend waiting on it, and kills the process then.
// Figures per fault: what the crash left, and what the restart made of it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_LOCK } from '../../src/storage/locks.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, ROOT } from './helpers.js';
import { waitUntil } from '../pipeline/kafka-helpers.js';

const KEYS = {
  SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
  SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
};
const CHILD_ENV = Object.fromEntries(
  Object.entries({ ...process.env, ...KEYS, DATABASE_URL: undefined, SEGMENTLOOM_DB_SCHEMA: undefined, NO_COLOR: '1' }).filter(([, v]) => v !== undefined),
) as NodeJS.ProcessEnv;

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: readonly string[], input = ''): Proc {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), ...args], { cwd: ROOT, env: CHILD_ENV });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin!.end(input);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exited };
}

function ndjson(events: readonly unknown[]): string {
  return `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
}

function track(i: number, event: string, userId: string): Record<string, unknown> {
  return {
    type: 'track',
    event,
    messageId: `${event.replace(/\W/g, '')}-${userId}-${i}`,
    userId,
    timestamp: new Date().toISOString(),
    properties: { email: `${userId}@example.com`, phone: '+1 415 555 0100', plan: 'pro' },
  };
}

/** The backend of this database waiting on a lock, with what it holds; null while there is none. */
async function waitingBackend(client: pg.Client, what: 'advisory' | 'row'): Promise<{ pid: number; writesInventory: boolean } | null> {
  const rows = (
    await client.query<{ pid: number; writes: boolean }>(
      `SELECT a.pid,
              EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = to_regclass(format('%I.inventory_points', $2::text))
                                                  AND l.mode = 'RowExclusiveLock' AND l.granted) AS writes
       FROM pg_stat_activity a
       WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'
         AND ($1 = 'advisory' AND a.wait_event = 'advisory' OR $1 = 'row' AND a.wait_event IN ('transactionid', 'tuple'))
         AND a.query ILIKE $3
         AND ($1 = 'advisory' OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = to_regclass(format('%I.inventory_points', $2::text))))`,
      [what, currentSchema, what === 'advisory' ? '%pg_advisory_xact_lock%' : '%INSERT INTO inventory_points%'],
    )
  ).rows;
  return rows[0] ? { pid: rows[0].pid, writesInventory: rows[0].writes } : null;
}

async function backendGone(client: pg.Client, pid: number): Promise<boolean> {
  return (await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0;
}

let currentSchema = '';

beforeAll(() => requireBuild());

describe('SIGKILL of the engine mid-step, on PostgreSQL', { timeout: 300_000 }, () => {
  let url: string;
  let client: pg.Client;
  const schemas: string[] = [];
  const procs: Proc[] = [];

  beforeAll(async () => {
    url = await postgresUrl();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await client?.end().catch(() => {});
    for (const schema of schemas) await dropSchema(url, schema);
  });

  function store(): { dir: string; config: string; schema: string; flags: string[] } {
    const schema = uniqueSchema('crash');
    schemas.push(schema);
    currentSchema = schema;
    const dir = mkdtempSync(path.join(tmpdir(), 'sl-crash-'));
    const config = path.join(dir, 'engine.yaml');
    writeFileSync(
      config,
      `source: web\nclassifiers: [builtin]\ndestinations:\n  - { name: warehouse, topic: wh }\nstorage:\n  databaseUrl: ${url}\n  schema: ${schema}\n  retentionSweep: false\ninventory: { flushIntervalMs: 60000 }\n`,
    );
    return { dir, config, schema, flags: ['--database-url', url, '--schema', schema] };
  }

  async function runEngine(s: { dir: string; config: string }, events: readonly unknown[], name: string): Promise<Proc> {
    const input = path.join(s.dir, `${name}.ndjson`);
    writeFileSync(input, ndjson(events));
    const proc = start(['run', '--config', s.config, '--input', input, '--out', path.join(s.dir, `out-${name}`)]);
    procs.push(proc);
    return proc;
  }

  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows;

  it('an inventory flush killed mid-transaction leaves nothing half-written; the restart counts every event once', async () => {
    const s = store();
    const t = (table: string) => `"${s.schema}".${table}`;
    const first = Array.from({ length: 10 }, (_, i) => track(i, 'Signed Up', `user-${i}`));
    const firstRun = await runEngine(s, first, 'first');
    expect((await firstRun.exited).code, firstRun.stderr()).toBe(0);
    const before = await q<{ path: string; count: string }>(`SELECT path, count FROM ${t('inventory_points')} WHERE event = 'Signed Up' ORDER BY path`);
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before.map((r) => Number(r.count)))).toEqual(new Set([10]));

    // One of the next flush's new points inserted here, uncommitted: the flush locks its known
    // points, starts inserting its new ones (the table is written in its transaction) and waits on
    // this row's transaction.
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${t('inventory_points')}
       SELECT (jsonb_populate_record(NULL::${t('inventory_points')}, to_jsonb(p) || '{"event": "Order Completed"}'::jsonb)).*
       FROM ${t('inventory_points')} p WHERE event = 'Signed Up' ORDER BY path DESC LIMIT 1`,
    );
    const second = [
      ...Array.from({ length: 6 }, (_, i) => track(100 + i, 'Signed Up', `user-${i}`)),
      ...Array.from({ length: 8 }, (_, i) => track(i, 'Order Completed', `user-${i}`)),
    ];
    const killed = await runEngine(s, second, 'second');
    let backend: { pid: number; writesInventory: boolean } | null = null;
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await waitUntil(async () => (backend = await waitingBackend(locker, 'row')) !== null, 120_000, 'the flush waiting on the uncommitted point');
      // It has written in the transaction (its INSERT of the new points), not committed.
      expect(backend!.writesInventory).toBe(true);
      killed.child.kill('SIGKILL');
      expect((await killed.exited).signal).toBe('SIGKILL');
      await client.query('ROLLBACK');
      // The orphaned backend gets its lock, finds its client gone and rolls back.
      await waitUntil(() => backendGone(locker, backend!.pid), 60_000, 'the killed engine backend to end');
    } finally {
      // On a failure above, nothing of this test may hold locks into the next one.
      if (killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill('SIGKILL');
      await client.query('ROLLBACK');
      await locker.end();
    }
    const left = await q<{ event: string; count: string }>(`SELECT event, count FROM ${t('inventory_points')} ORDER BY event, path`);
    const leftNew = left.filter((r) => r.event === 'Order Completed').length;
    const leftCounts = [...new Set(left.filter((r) => r.event === 'Signed Up').map((r) => Number(r.count)))];
    expect(leftNew).toBe(0);
    expect(leftCounts).toEqual([10]);

    // Restarted on the same input (a file engine has no offsets: it reads the file again).
    const restarted = await runEngine(s, second, 'second');
    expect((await restarted.exited).code, restarted.stderr()).toBe(0);
    const after = await q<{ event: string; path: string; count: string }>(`SELECT event, path, count FROM ${t('inventory_points')} ORDER BY event, path`);
    const duplicates = await q(`SELECT source, event, path FROM ${t('inventory_points')} GROUP BY 1, 2, 3 HAVING count(*) > 1`);
    const countsOf = (event: string) => [...new Set(after.filter((r) => r.event === event).map((r) => Number(r.count)))];
    const figures = {
      pointsBefore: before.length,
      leftByCrash: { newPoints: leftNew, signedUpCounts: leftCounts },
      afterRestart: {
        points: after.length,
        signedUpCounts: countsOf('Signed Up'),
        orderCompletedCounts: countsOf('Order Completed'),
        duplicateRows: duplicates.length,
      },
    };
    console.log(`[fault] sigkill-inventory-flush ${JSON.stringify(figures)}`);
    expect(duplicates).toEqual([]);
    expect(countsOf('Signed Up')).toEqual([16]);
    expect(countsOf('Order Completed')).toEqual([8]);
    expect(after.filter((r) => r.event === 'Order Completed').length).toBe(before.length);
  });

  it('a deletion killed half-way is run again by the restarted server: completed, one receipt', async () => {
    const s = store();
    const t = (table: string) => `"${s.schema}".${table}`;
    const events = [
      ...Array.from({ length: 12 }, (_, i) => track(i, 'Signed Up', 'gone-1')),
      ...Array.from({ length: 5 }, (_, i) => track(i, 'Signed Up', 'kept-1')),
    ];
    const ingest = await runEngine(s, events, 'events');
    expect((await ingest.exited).code, ingest.stderr()).toBe(0);
    const storedBefore = Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${t('events')}`))[0]!.n);
    expect(storedBefore).toBe(17);
    // The erased subject is the one with 12 stored events; its examples in the inventory, if any.
    const goneSubject = `(SELECT subject_hash FROM ${t('events')} GROUP BY subject_hash HAVING count(*) = 12)`;
    const examplesOfErasedBefore = Number(
      (await q<{ n: string }>(`SELECT count(*) AS n FROM ${t('inventory_points')} WHERE example_subject IN ${goneSubject}`))[0]!.n,
    );
    const examplesLeftOf = async (subjects: string[]) =>
      Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${t('inventory_points')} WHERE example_subject = ANY($1::text[])`, [subjects]))[0]!.n);
    const erased = (await q<{ subject_hash: string }>(goneSubject.slice(1, -1))).map((r) => r.subject_hash);

    // The erasure's last step (clearing inventory examples) waits for this shared hold.
    await client.query('SELECT pg_advisory_lock_shared($1)', [EXAMPLES_LOCK]);
    let held = true;
    const deletion = start(['requests', 'create', 'DELETE', '--user-id', '-', ...s.flags], 'gone-1\n');
    procs.push(deletion);
    try {
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      let backend: { pid: number } | null = null;
      try {
        await waitUntil(async () => (backend = await waitingBackend(locker, 'advisory')) !== null, 120_000, 'the erasure waiting on the examples lock');
        deletion.child.kill('SIGKILL');
        expect((await deletion.exited).signal).toBe('SIGKILL');
        await client.query('SELECT pg_advisory_unlock_shared($1)', [EXAMPLES_LOCK]);
        held = false;
        await waitUntil(() => backendGone(locker, backend!.pid), 60_000, 'the killed process backend to end');
      } finally {
        await locker.end();
      }
    } finally {
      if (held) await client.query('SELECT pg_advisory_unlock_shared($1)', [EXAMPLES_LOCK]);
    }
    const [crashed] = await q<{ id: string; status: string; receipt: unknown }>(`SELECT id, status, receipt FROM ${t('subject_requests')}`);
    const storedAfterCrash = Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${t('events')}`))[0]!.n);
    // Half-done, as a crash leaves it: the events are gone, the request is not finished.
    expect(crashed!.status).toBe('RUNNING');
    expect(crashed!.receipt).toBeNull();
    expect(storedAfterCrash).toBe(5);
    const examplesAfterCrash = await examplesLeftOf(erased);

    // The restarted server runs it again at start (its runner's lock died with the process).
    const serve = start(['serve', '--port', '0', '--config', s.config, ...s.flags]);
    procs.push(serve);
    await waitUntil(() => serve.stderr().includes('left running by a stopped process were run again'), 120_000, 'serve to resume the request');
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code, serve.stderr()).toBe(0);
    const [finished] = await q<{ status: string; receipt: { requestId: string; finishedAt: string; removed: Record<string, number>; where: string[] } | null }>(
      `SELECT status, receipt FROM ${t('subject_requests')}`,
    );
    expect(finished!.status).toBe('FINISHED');
    expect(finished!.receipt?.requestId).toBe(crashed!.id);

    // Pending requests run by hand (a cron's job): it is finished, the receipt stays the one written.
    const again = start(['requests', 'run-pending', ...s.flags]);
    procs.push(again);
    expect((await again.exited).code, again.stderr()).toBe(0);
    const [still] = await q<{ receipt: { finishedAt: string } }>(`SELECT receipt FROM ${t('subject_requests')}`);
    // serve logs each request it finishes (the CLI's store has no logger): one line, one receipt.
    const finishedLines = serve
      .stderr()
      .split('\n')
      .filter((l) => l.includes('data-subject request finished')).length;
    const examples = await examplesLeftOf(erased);
    const figures = {
      storedBefore,
      examplesOfErasedBefore,
      leftByCrash: { status: crashed!.status, storedEvents: storedAfterCrash, examplesOfErased: examplesAfterCrash },
      afterRestart: {
        status: finished!.status,
        storedEvents: Number((await q<{ n: string }>(`SELECT count(*) AS n FROM ${t('events')}`))[0]!.n),
        examplesOfErased: examples,
      },
      receiptsWritten: finishedLines,
      // The one receipt covers both runs: the first removed the key and the events, the second the rest.
      receiptRemoved: finished!.receipt!.removed,
    };
    console.log(`[fault] sigkill-deletion ${JSON.stringify(figures)}`);
    expect(still!.receipt.finishedAt).toBe(finished!.receipt!.finishedAt);
    expect(finishedLines).toBe(1);
    expect(examples).toBe(0);
    expect(finished!.receipt!.removed).toMatchObject({ dataKeys: 1, events: storedBefore - storedAfterCrash, inventoryExamples: examplesOfErasedBefore });
    expect(finished!.receipt!.where).toEqual(expect.arrayContaining(['data_keys', 'events']));
  });
});
