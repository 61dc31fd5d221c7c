import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as inventory } from '../../src/cli/commands/inventory.js';
import { run as requests } from '../../src/cli/commands/requests.js';
import { run as retention } from '../../src/cli/commands/retention.js';
import { run as subject } from '../../src/cli/commands/subject.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { openDb } from '../../src/storage/open.js';
import { openStorage } from '../../src/storage/storage.js';
import type { ScriptDb } from '../../src/storage/db.js';
import { dropSchema, ENGINES, identify, postgresUrl, track, uniqueSchema } from './helpers.js';
import { email } from '../inventory/fixtures.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

// Each command opens the store itself, as the binary does: on PGlite that is a start of the
// embedded PostgreSQL per command (7–11 s each at a load of 20 on two cores), and a test here runs
// up to ten commands. Their budget is that work, not the default 30 s for one.
describe.each(ENGINES)('storage CLI commands (%s)', { timeout: 300_000 }, (engine) => {
  const env: NodeJS.ProcessEnv = {
    SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
    SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
  };
  let dbArgs: string[];
  let url: string | undefined;
  let schema: string;
  let setupDb: ScriptDb;

  beforeAll(async () => {
    schema = uniqueSchema('cli');
    if (engine === 'postgres') {
      url = await postgresUrl();
      dbArgs = ['--database-url', url, '--schema', schema];
      setupDb = await openDb({ url, schema });
    } else {
      const dir = join(mkdtempSync(join(tmpdir(), 'sl-cli-')), 'data');
      dbArgs = ['--data-dir', dir];
      setupDb = await openDb({ dataDir: dir });
    }
    const storage = await openStorage({ db: setupDb, env });
    await storage.events.storeEvents([identify('cli-user', { email: 'cli@example.com' }), track('cli-user', 'Paid', { amount: 5 })]);
    await upsertObservations(setupDb, [
      email('web', 'properties.email', { destinations: ['crm'], example: 'c***@example.com', exampleSubject: storage.hasher.subjectHash('cli-user') }),
      email('web', 'properties.note, "odd"'),
    ]);
    // PGlite allows one process per directory: the commands open it themselves.
    if (engine === 'pglite') await setupDb.close();
  });
  afterAll(async () => {
    if (engine === 'postgres') {
      await setupDb.close();
      await dropSchema(url!, schema);
    }
  });

  async function cli(command: typeof inventory, args: string[], stdin?: string) {
    const out = sink();
    const err = sink();
    const input = new PassThrough();
    input.end(stdin ?? '');
    const code = await command([...args, ...dbArgs], { stdout: out.stream, stderr: err.stream, env, stdin: input });
    return { code, stdout: out.text(), stderr: err.text() };
  }

  it('lists, classifies, accepts and exports the inventory', async () => {
    const list = await cli(inventory, ['list', '--status', 'inbox']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^CLASS\s+REVIEWED\s+STATUS/);
    expect(list.stdout).toContain('properties.email');

    expect((await cli(inventory, ['classify', 'web', 'Order Completed', 'properties.email', 'yellow'])).stdout).toContain('effective: yellow');
    expect((await cli(inventory, ['accept', 'web', 'Order Completed', 'properties.email'])).stdout).toContain('status: inventory');
    // Not found: NotFoundError, which the binary exits 2 with (see docs/errors.md).
    await expect(cli(inventory, ['accept', 'web', 'Nope', 'x'])).rejects.toThrow('no such data point');

    const json = JSON.parse((await cli(inventory, ['list', '--status', 'inventory', '--format', 'json'])).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ path: 'properties.email', effectiveClassification: 'yellow' });

    const csv = (await cli(inventory, ['export-csv'])).stdout;
    expect(csv.split('\r\n')[0]).toMatch(/^source,event,path,/);
    expect(csv).toContain('"properties.note, ""odd"""');

    expect((await cli(inventory, ['top-red-sources'])).stdout).toMatch(/web\s+1/);
    expect((await cli(inventory, ['destinations', 'email', '--format', 'json'])).stdout).toContain('"destination": "crm"');
    await expect(cli(inventory, ['classify', 'web', 'x', 'y', 'purple'])).rejects.toThrow(/must be one of/);
  });

  it('exports a subject, then deletes it by email with a receipt', async () => {
    const exported = await cli(subject, ['export', '--user-id', '-'], 'cli-user\n');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data.subjects[0].profile).toEqual({ email: 'cli@example.com' });
    expect(data.subjects[0].events).toHaveLength(2);
    // --output: owner-only, even over a file that existed world-readable.
    const file = join(mkdtempSync(join(tmpdir(), 'sl-export-')), 'export.json');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    expect((await cli(subject, ['export', '--user-id', '-', '--output', file], 'cli-user\n')).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).subjects[0].events).toHaveLength(2);

    const created = await cli(requests, ['create', 'DELETE', '--email', 'cli@example.com']);
    expect(created.code).toBe(0);
    const request = JSON.parse(created.stdout);
    expect(request.status).toBe('FINISHED');
    expect(created.stdout).not.toContain('cli@example.com');

    const status = JSON.parse((await cli(requests, ['status', request.id])).stdout);
    expect(status).toMatchObject({ id: request.id, status: 'FINISHED', type: 'DELETE' });
    expect(status).not.toHaveProperty('receipt');
    const receipt = JSON.parse((await cli(requests, ['receipt', request.id])).stdout);
    expect(receipt.removed).toMatchObject({ dataKeys: 1, events: 2, profiles: 1, inventoryExamples: 1 });

    expect(JSON.parse((await cli(subject, ['export', '--user-id', 'cli-user'])).stdout).subjects[0].events).toEqual([]);
    await expect(cli(requests, ['status', '00000000-0000-4000-8000-000000000000'])).rejects.toThrow('no such request');
  });

  it('queues without running, then runs pending', async () => {
    const queued = JSON.parse((await cli(requests, ['create', 'suppress', '--anonymous-id', 'anon-q', '--no-run'])).stdout);
    expect(queued.status).toBe('RECEIVED');
    expect((await cli(requests, ['receipt', queued.id])).code).toBe(1);
    const ran = JSON.parse((await cli(requests, ['run-pending'])).stdout);
    expect(ran).toEqual([{ id: queued.id, type: 'SUPPRESS', status: 'FINISHED', failure: null }]);
  });

  it('sweeps retention', async () => {
    const result = await cli(retention, ['sweep', '--batch-size', '10']);
    expect(result.code).toBe(0);
    // With the master keys in its environment, it also authenticates the stored events (the tests above erased their subject).
    const swept = JSON.parse(result.stdout);
    expect(swept).toMatchObject({ events: 0, batches: 0, erasureTimes: 0, verified: { tampered: [], resealed: 0 } });
    expect(swept.verified.checked).toEqual(expect.any(Number));
  });

  it('reports missing keys as a configuration error', async () => {
    const out = sink();
    const err = sink();
    const code = await requests(['status', 'x', ...dbArgs], { stdout: out.stream, stderr: err.stream, env: {} });
    expect(code).toBe(78);
    expect(err.text()).toMatch(/SEGMENTLOOM_LOOKUP_KEY/);
    await expect(
      requests(['create', 'DELETE', '--user-id', 'a', '--email', 'b@c', ...dbArgs], { stdout: out.stream, stderr: err.stream, env }),
    ).rejects.toThrow(/exactly one/);
  });
});
