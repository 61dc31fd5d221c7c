// The storage commands act on a store that exists. Pointed at a missing one — run from the wrong
// directory, a mistyped --schema — they fail, say what is missing and how to point at the right
// store, and create nothing: an erasure "succeeding" on a new, empty store would erase nothing.
// `init`, `run` and `serve` are the commands that create a store.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { migrate } from '../../src/storage/migrate.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { openDb } from '../../src/storage/open.js';
import { dropSchema, postgresUrl, uniqueSchema } from '../storage/helpers.js';
import { requireBuild, ROOT, type CliResult } from './helpers.js';

const KEYS = {
  SEGMENTLOOM_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
  SEGMENTLOOM_LOOKUP_KEY: randomBytes(32).toString('base64'),
};
/** The database comes from the flags alone: nothing inherited from the shell running the tests. */
const ENV = { ...KEYS, DATABASE_URL: undefined, SEGMENTLOOM_DB_SCHEMA: undefined };

/** One command per storage command that acts on stored data. */
const DATA_COMMANDS: ReadonlyArray<{ args: string[]; input?: string }> = [
  { args: ['requests', 'create', 'DELETE', '--user-id', '-'], input: 'user-1\n' },
  { args: ['requests', 'run-pending'] },
  { args: ['subject', 'export', '--user-id', 'user-1'] },
  { args: ['inventory', 'list'] },
  { args: ['retention', 'sweep'] },
  { args: ['keys', 'list'] },
];

const CHILD_ENV = Object.fromEntries(Object.entries({ ...process.env, ...ENV, NO_COLOR: '1' }).filter(([, v]) => v !== undefined));

/**
 * `node bin/segmentloom.js …args`, like `segmentloomAsync()` of ./helpers.js, never blocking the
 * test worker: each of these processes opens a database, which takes seconds on a busy machine.
 */
async function cli(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), ...args], { cwd: options.cwd ?? ROOT, env: CHILD_ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  return { status, signal, stdout, stderr, elapsed: Date.now() - started };
}

function tempDir(prefix = 'sl-store-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function expectRefused(result: CliResult, missing: string): void {
  expect(result.status, result.stderr).toBe(78);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(missing);
  expect(result.stderr).toContain('Nothing was created');
  expect(result.stderr).toMatch(/--data-dir DIR/);
  expect(result.stderr).toMatch(/--schema NAME/);
  expect(result.stderr).toContain('segmentloom init');
}

/** A file-pipeline engine config whose storage section is `storage`, and an (empty) input. */
function engineConfig(dir: string, storage: string): { config: string; input: string } {
  const config = path.join(dir, 'engine.yaml');
  writeFileSync(config, `source: web\nclassifiers: [builtin]\ndestinations:\n  - { name: warehouse, topic: wh }\nstorage:\n${storage}`);
  const input = path.join(dir, 'in.ndjson');
  writeFileSync(input, '');
  return { config, input };
}

/**
 * Starts `segmentloom serve` through the binary and stops it with SIGTERM as soon as its stderr
 * shows `stopOn` (by default its ready line).
 */
async function serveOnce(args: readonly string[], stopOn = 'control-plane API listening'): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/segmentloom.js'), 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: CHILD_ENV,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let stopped = false;
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
    // Once: a second signal while it stops would end it the hard way.
    if (!stopped && stderr.includes(stopOn)) stopped = child.kill('SIGTERM');
  });
  // A guard against a hang, not a measure: at a load of 30 on two cores a serve that creates its
  // store takes minutes to announce itself, and one killed while still starting fails for nothing.
  // Below the tests' budget (SLOW), so a real hang still ends in the test, with the output.
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  // A signal's name in the output says how it ended when the code is null.
  return { code, stderr: signal === null ? stderr : `${stderr}(ended by ${signal})` };
}

beforeAll(() => requireBuild());

/** Every command is a process opening a database: generous on a loaded machine. */
const SLOW = { timeout: 300_000 };

describe('storage commands on the embedded store', SLOW, () => {
  it('refuse a directory that does not exist, naming it, and create nothing', async () => {
    const missing = path.join(tempDir(), 'not-here', 'data');
    for (const { args, input } of DATA_COMMANDS) {
      const result = await cli([...args, '--data-dir', missing], { input });
      expectRefused(result, `no Segmentloom store at ${missing}: the directory does not exist`);
      expect(existsSync(path.dirname(missing)), args.join(' ')).toBe(false);
    }
  });

  it('run from the wrong directory: the default path is resolved there, named absolutely, and not created', async () => {
    const cwd = tempDir('sl-wrong-cwd-');
    const result = await cli(['requests', 'create', 'DELETE', '--user-id', '-'], { cwd, input: 'user-1\n' });
    expectRefused(result, `no Segmentloom store at ${path.join(cwd, '.segmentloom', 'data')}: the directory does not exist`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuse a directory that holds no database, and leave it empty', async () => {
    const empty = path.join(tempDir(), 'data');
    mkdirSync(empty);
    const result = await cli(['inventory', 'list', '--data-dir', empty]);
    expectRefused(result, `no Segmentloom store at ${empty}: the directory holds no embedded database`);
    expect(readdirSync(empty)).toEqual([]);
  });

  describe('an existing store', () => {
    const dataDir = path.join(tempDir(), 'data');
    beforeAll(async () => {
      const init = await cli(['init', '--data-dir', dataDir]);
      expect(init.status, init.stderr).toBe(0);
      expect(JSON.parse(init.stdout)).toMatchObject({ store: `${dataDir}, schema "public"`, version: Math.max(...MIGRATIONS.map((m) => m.version)) });
    });

    it('is what init creates; init again applies nothing', async () => {
      const again = await cli(['init', '--data-dir', dataDir]);
      expect(again.status, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ applied: [] });
    });

    it('serves every data command', async () => {
      for (const { args, input } of DATA_COMMANDS) {
        const result = await cli([...args, '--data-dir', dataDir], { input });
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      const created = await cli(['keys', 'create', '--role', 'owner', '--name', 'admin', '--data-dir', dataDir]);
      expect(created.status, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^sl_[0-9a-f]{16}_/);
    });

    it('refuses a mistyped --schema in it, and does not create the schema', async () => {
      const result = await cli(['retention', 'sweep', '--data-dir', dataDir, '--schema', 'pubilc']);
      expectRefused(result, `no Segmentloom store in the embedded database at ${dataDir}: schema "pubilc" does not exist`);
      const db = await openDb({ dataDir, create: false, migrate: false });
      try {
        expect(await db.query("SELECT 1 FROM pg_namespace WHERE nspname = 'pubilc'")).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });

  it('migrate an existing store on an older migration forward: that is not creating one', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const [first, second] = [...MIGRATIONS].sort((a, b) => a.version - b.version);
    const old = await openDb({ dataDir, migrate: false });
    await migrate(old, { logger: silentLogger(), migrations: [first!] });
    await old.close();

    const result = await cli(['retention', 'sweep', '--data-dir', dataDir]);
    expect(result.status, result.stderr).toBe(0);
    const db = await openDb({ dataDir, create: false, migrate: false });
    try {
      const versions = (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version);
      expect(versions).toContain(second!.version);
    } finally {
      await db.close();
    }
  });

  it('run and serve create their store as before', async () => {
    const dir = tempDir();
    const runDir = path.join(dir, 'run-data');
    const { config, input } = engineConfig(dir, `  dataDir: ${runDir}\n`);
    const ran = await cli(['run', '--config', config, '--input', input, '--out', path.join(dir, 'out')]);
    expect(ran.status, ran.stderr).toBe(0);
    expect(existsSync(path.join(runDir, 'PG_VERSION'))).toBe(true);
    expect((await cli(['inventory', 'list', '--data-dir', runDir])).status).toBe(0);

    const serveDir = path.join(dir, 'serve-data');
    const served = await serveOnce(['--config', config, '--data-dir', serveDir]);
    expect(served.code, served.stderr).toBe(0);
    expect(existsSync(path.join(serveDir, 'PG_VERSION'))).toBe(true);
    expect((await cli(['keys', 'list', '--data-dir', serveDir])).status).toBe(0);
  });
});

describe('serve stops cleanly on a signal', SLOW, () => {
  it('exits 0 on a SIGTERM that arrives while it is still starting (its HTTP listener is up, readiness not yet announced)', async () => {
    const dir = tempDir();
    const { config } = engineConfig(dir, `  dataDir: ${path.join(dir, 'data')}\n`);
    // Fastify logs this inside the start, before serve announces readiness: a signal then used to
    // find no listener and kill the process with the signal's default action.
    const served = await serveOnce(['--config', config, '--data-dir', path.join(dir, 'data')], 'Server listening at');
    expect(served.code, served.stderr).toBe(0);
    expect(served.stderr).toContain('stopping: finishing requests in flight');
  });
});

describe('storage commands on PostgreSQL', SLOW, () => {
  let url: string;
  const schemas: string[] = [];
  /** A schema name no one has used; dropped after the tests whatever they created. */
  const schemaName = (prefix: string) => {
    const schema = uniqueSchema(prefix);
    schemas.push(schema);
    return schema;
  };
  async function schemaState(schema: string): Promise<{ exists: boolean; migrated: boolean }> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ exists: boolean; migrated: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists, to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL AS migrated",
        [schema],
      );
      return rows[0]!;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    url = await postgresUrl();
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });

  it('refuse a schema that does not exist, naming it and the database, and create nothing', async () => {
    const schema = schemaName('typo');
    const database = new URL(url).pathname.slice(1);
    for (const { args, input } of DATA_COMMANDS) {
      const result = await cli([...args, '--database-url', url, '--schema', schema], { input });
      expectRefused(result, `no Segmentloom store in database "${database}" on ${new URL(url).host}: schema "${schema}" does not exist`);
      expect(await schemaState(schema), args.join(' ')).toEqual({ exists: false, migrated: false });
    }
  });

  it('refuse a schema that exists but was never initialised, and leave it so', async () => {
    const schema = schemaName('bare');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.end();
    const result = await cli(['requests', 'create', 'DELETE', '--user-id', '-', '--database-url', url, '--schema', schema], { input: 'user-1\n' });
    expectRefused(result, `schema "${schema}" was never initialised`);
    expect(await schemaState(schema)).toEqual({ exists: true, migrated: false });
  });

  it('refuse a database that does not exist', async () => {
    const missing = new URL(url);
    missing.pathname = `/segmentloom_missing_${randomBytes(4).toString('hex')}`;
    const result = await cli(['retention', 'sweep', '--database-url', missing.toString()]);
    expectRefused(result, `no Segmentloom store in database "${missing.pathname.slice(1)}" on ${missing.host}: the database does not exist`);
  });

  it('serve every data command on a store init created', async () => {
    const schema = schemaName('init');
    const init = await cli(['init', '--database-url', url, '--schema', schema]);
    expect(init.status, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).store).toContain(`schema "${schema}"`);
    for (const { args, input } of DATA_COMMANDS) {
      const result = await cli([...args, '--database-url', url, '--schema', schema], { input });
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
  });

  it('run and serve create their schema as before', async () => {
    const dir = tempDir();
    const runSchema = schemaName('run');
    const { config, input } = engineConfig(dir, `  databaseUrl: ${url}\n  schema: ${runSchema}\n`);
    const ran = await cli(['run', '--config', config, '--input', input, '--out', path.join(dir, 'out')]);
    expect(ran.status, ran.stderr).toBe(0);
    expect(await schemaState(runSchema)).toEqual({ exists: true, migrated: true });

    const serveSchema = schemaName('serve');
    const served = await serveOnce(['--config', config, '--database-url', url, '--schema', serveSchema]);
    expect(served.code, served.stderr).toBe(0);
    expect(await schemaState(serveSchema)).toEqual({ exists: true, migrated: true });
  });
});
