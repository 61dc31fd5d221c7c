import pg from 'pg';
import type { ScriptDb } from './db.js';
import { quoteIdent } from './sql.js';

/**
 * PostgreSQL through a pg Pool. int8 is parsed to number (counts never approach 2^53) so rows
 * look the same as PGlite's; the parser is set on this pool only, not globally.
 */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PgDbOptions {
  url: string;
  schema?: string | undefined;
  max?: number | undefined;
}

export function createPgDb(options: PgDbOptions): PgDb {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    // search_path as a startup option: every pooled connection gets it before its first query. The
    // store's schema alone, without public: a missing table is an error, never another store's table.
    ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new PgDb(pool);
}

type Queryable = pg.Pool | pg.PoolClient;

class PgDb implements ScriptDb {
  readonly engine = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return runQuery<Row>(this.pool, sql, params);
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no error listener of the pool's: a server that goes away between two
    // queries of the transaction would be an uncaught exception (the process dies). Keep the error;
    // the next query fails with it and the connection is discarded on release.
    const onError = (err: Error) => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(new PgTx(client, 0));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed');
      }
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A transaction on one pooled connection; nested transactions become savepoints. */
class PgTx implements ScriptDb {
  readonly engine = 'postgres' as const;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly depth: number,
  ) {}

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return runQuery<Row>(this.client, sql, params);
  }

  async exec(script: string): Promise<void> {
    await this.client.query(script);
  }

  async transaction<T>(work: (tx: ScriptDb) => Promise<T>): Promise<T> {
    const savepoint = `sp_${this.depth + 1}`;
    await this.client.query(`SAVEPOINT ${savepoint}`);
    try {
      const result = await work(new PgTx(this.client, this.depth + 1));
      await this.client.query(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (err) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw err;
    }
  }

  async close(): Promise<void> {
    throw new Error('close() is not available inside a transaction');
  }
}

async function runQuery<Row>(target: Queryable, sql: string, params?: readonly unknown[]): Promise<Row[]> {
  const result = await target.query(sql, params as unknown[] | undefined);
  return result.rows as Row[];
}
