import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { ScriptDb } from './db.js';
import { claimPgliteDir } from './pglite-lock.js';
import { pgliteTemplate, unpackPgliteTemplate } from './pglite-template.js';
import { quoteIdent } from './sql.js';
import { StoreNotFoundError } from './store-missing.js';

const BYTEA_OID = 17;

export interface PgliteDbOptions {
  /** Directory of the embedded database; in-memory when absent. One process per directory. */
  dataDir?: string | undefined;
  schema?: string | undefined;
  /**
   * Create the directory, database and schema when missing (default true). With false, a
   * `dataDir` that holds no database is a StoreNotFoundError and nothing is written to disk.
   */
  create?: boolean | undefined;
  /**
   * A new store is loaded from the migrated template built by `npm run build` when there is one for
   * the current migrations (see pglite-template.ts), skipping initdb. Only for a caller that migrates
   * on open anyway (openDb): with it the store is created already migrated (default false).
   */
  fromTemplate?: boolean | undefined;
}

/**
 * Server settings for an embedded, one-process store: PostgreSQL's default 128 MB of shared buffers
 * is most of PGlite's resident memory (RSS ~310 MB at open against ~180 MB with 16 MB); the
 * embedded store's working set (recent events, the inventory, keys) is far smaller.
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

export async function createPgliteDb(options: PgliteDbOptions): Promise<ScriptDb> {
  const create = options.create !== false;
  if (options.dataDir && !create) assertPgliteDir(options.dataDir);
  if (options.dataDir && create) mkdirSync(options.dataDir, { recursive: true });
  // One process per directory: refused here, before PGlite touches a page another process holds.
  const release = options.dataDir ? claimPgliteDir(options.dataDir) : () => {};
  try {
    return await openPglite(options, create, release);
  } catch (err) {
    release();
    throw err;
  }
}

async function openPglite(options: PgliteDbOptions, create: boolean, release: () => void): Promise<ScriptDb> {
  const fresh = options.dataDir === undefined || !existsSync(join(resolve(options.dataDir), 'PG_VERSION'));
  const template = create && fresh && options.fromTemplate === true ? pgliteTemplate() : null;
  // On disk the template is unpacked and opened as an existing store; in memory PGlite loads it.
  if (template && options.dataDir) unpackPgliteTemplate(template, options.dataDir);
  const pglite = await PGlite.create(options.dataDir, {
    ...PGLITE_OPTIONS,
    ...(template && !options.dataDir ? { loadDataDir: new Blob([template]) } : {}),
  });
  if (options.schema) {
    const schema = quoteIdent(options.schema);
    await pglite.exec(`${create ? `CREATE SCHEMA IF NOT EXISTS ${schema}; ` : ''}SET search_path = ${schema};`);
  }
  return new PgliteDb(pglite, release);
}

const PGLITE_OPTIONS = {
  // pg hands bytea back as Buffer; make PGlite do the same so callers see one row shape.
  parsers: { [BYTEA_OID]: (text: string) => Buffer.from(text.slice(2), 'hex') },
  postgresqlconf: PGLITE_CONF,
};

/**
 * An in-memory store made the slow way (initdb) and a way to dump it as a tarball: for the build
 * script that migrates it and keeps it as the template new stores are loaded from.
 */
export async function pgliteForTemplate(): Promise<{ db: ScriptDb; dump(): Promise<Uint8Array> }> {
  const pglite = await PGlite.create(PGLITE_OPTIONS);
  return {
    db: new PgliteDb(pglite, () => {}),
    dump: async () => new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer()),
  };
}

/** PGlite would initialise a new cluster in a directory without one: refuse before it can. */
function assertPgliteDir(dataDir: string): void {
  const dir = resolve(dataDir);
  if (!existsSync(dir)) throw new StoreNotFoundError(`no Segmentloom store at ${dir}: the directory does not exist`);
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new StoreNotFoundError(`no Segmentloom store at ${dir}: the directory holds no embedded database`);
}

/**
 * Array parameters (the batched writes' unnest columns: 500 ids, hashes, sealed payloads) as array
 * literals written here: PGlite's own serializer was ~40% of its JavaScript time in a pipeline
 * profile, and the same inserts ran 1.4–2x more rows per CPU second with literals. Flat arrays of
 * strings, Buffers (bytea), finite numbers, booleans, Dates and nulls only; anything else goes to
 * PGlite as given. Every element is quoted, so its type's input function reads it as if unquoted.
 */
function arrayParams(params: readonly unknown[] | undefined): unknown[] | undefined {
  if (params === undefined) return undefined;
  let out: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (!Array.isArray(value)) continue;
    const literal = arrayLiteral(value);
    if (literal === null) continue;
    out ??= [...params];
    out[i] = literal;
  }
  return out ?? (params as unknown[]);
}

function arrayLiteral(values: readonly unknown[]): string | null {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = `"${v.replace(ARRAY_ESCAPE, '\\$&')}"`;
    else if (Buffer.isBuffer(v)) parts[i] = `"\\\\x${v.toString('hex')}"`;
    else if (typeof v === 'number' && Number.isFinite(v)) parts[i] = `"${v}"`;
    else if (typeof v === 'boolean') parts[i] = v ? '"t"' : '"f"';
    else if (v instanceof Date && !Number.isNaN(v.getTime())) parts[i] = `"${v.toISOString()}"`;
    else return null;
  }
  return `{${parts.join(',')}}`;
}

const ARRAY_ESCAPE = /["\\]/g;

class PgliteDb implements ScriptDb {
  readonly engine = 'pglite' as const;
  constructor(
    private readonly pglite: PGlite,
    private readonly release: () => void,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const result = await this.pglite.query<Row>(sql, arrayParams(params));
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.pglite.exec(script);
  }

  transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => work(new PgliteTx(tx, 0)));
  }

  async close(): Promise<void> {
    try {
      await this.pglite.close();
    } finally {
      this.release();
    }
  }
}

/** PGlite runs one transaction at a time; nested transactions become savepoints. */
class PgliteTx implements ScriptDb {
  readonly engine = 'pglite' as const;
  constructor(
    private readonly tx: Transaction,
    private readonly depth: number,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const result = await this.tx.query<Row>(sql, arrayParams(params));
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.tx.exec(script);
  }

  async transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T> {
    const savepoint = `sp_${this.depth + 1}`;
    await this.tx.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = await work(new PgliteTx(this.tx, this.depth + 1));
      await this.tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (err) {
      await this.tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw err;
    }
  }

  async close(): Promise<void> {
    throw new Error('close() is not available inside a transaction');
  }
}
