import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { ScriptDb } from './db.js';
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
}

export async function createPgliteDb(options: PgliteDbOptions): Promise<ScriptDb> {
  const create = options.create !== false;
  if (options.dataDir && !create) assertPgliteDir(options.dataDir);
  if (options.dataDir && create) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir, {
    // pg hands bytea back as Buffer; make PGlite do the same so callers see one row shape.
    parsers: { [BYTEA_OID]: (text: string) => Buffer.from(text.slice(2), 'hex') },
  });
  if (options.schema) {
    const schema = quoteIdent(options.schema);
    await pglite.exec(`${create ? `CREATE SCHEMA IF NOT EXISTS ${schema}; ` : ''}SET search_path = ${schema};`);
  }
  return new PgliteDb(pglite);
}

/** PGlite would initialise a new cluster in a directory without one: refuse before it can. */
function assertPgliteDir(dataDir: string): void {
  const dir = resolve(dataDir);
  if (!existsSync(dir)) throw new StoreNotFoundError(`no Segmentloom store at ${dir}: the directory does not exist`);
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new StoreNotFoundError(`no Segmentloom store at ${dir}: the directory holds no embedded database`);
}

class PgliteDb implements ScriptDb {
  readonly engine = 'pglite' as const;
  constructor(private readonly pglite: PGlite) {}

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    const result = await this.pglite.query<Row>(sql, params as unknown[] | undefined);
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.pglite.exec(script);
  }

  transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => work(new PgliteTx(tx, 0)));
  }

  close(): Promise<void> {
    return this.pglite.close();
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
    const result = await this.tx.query<Row>(sql, params as unknown[] | undefined);
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
