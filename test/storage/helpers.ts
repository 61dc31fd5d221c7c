import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb } from '../../src/storage/open.js';
import type { ScriptDb } from '../../src/storage/db.js';
import { Keyring } from '../../src/storage/crypto/master-keys.js';
import { SubjectHasher } from '../../src/storage/crypto/lookup.js';

export const ENGINES = ['postgres', 'pglite'] as const;
export type Engine = (typeof ENGINES)[number];

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
let containerUrl: Promise<string> | undefined;

/**
 * The PostgreSQL to test against: DATABASE_URL when set; otherwise a Testcontainers PostgreSQL
 * when Docker is reachable (one per test worker); otherwise the local server.
 */
export async function postgresUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (!dockerAvailable()) return DEFAULT_URL;
  containerUrl ??= (async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return container.getConnectionUri();
  })();
  return containerUrl;
}

function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** A fresh schema name per test file and engine, so files run in parallel without sharing rows. */
export function uniqueSchema(prefix: string): string {
  return `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

export interface TestDb {
  db: ScriptDb;
  schema: string;
  /** Opens another, independent connection pool on the same database (postgres), or returns `db` (PGlite is single-connection). */
  second(): Promise<ScriptDb>;
  close(): Promise<void>;
}

/**
 * A migrated database of its own: a fresh schema on PostgreSQL, a fresh in-memory PGlite.
 *
 * An in-memory PGlite is private to its test file already, so it keeps the default schema and is
 * loaded from the migrated template `npm run build` makes (seconds) instead of running initdb in
 * WebAssembly and every migration (tens of seconds on a loaded machine). Pass `{ schema: true }`
 * for the one path the template cannot give: the embedded store migrated into a named schema.
 * Either way it takes seconds on a busy machine: open it in a beforeAll hook, not in a test.
 */
export async function openTestDb(engine: Engine, prefix: string, options: { schema?: boolean } = {}): Promise<TestDb> {
  if (engine === 'pglite') {
    const schema = options.schema ? uniqueSchema(prefix) : 'public';
    const db = await openDb(options.schema ? { schema } : {});
    return { db, schema, second: async () => db, close: () => db.close() };
  }
  const schema = uniqueSchema(prefix);
  const url = await postgresUrl();
  const db = await openDb({ url, schema, poolSize: 4 });
  const extra: ScriptDb[] = [];
  return {
    db,
    schema,
    second: async () => {
      const other = await openDb({ url, schema, poolSize: 4 });
      extra.push(other);
      return other;
    },
    close: async () => {
      await Promise.all(extra.map((d) => d.close()));
      await db.close();
      await dropSchema(url, schema);
    },
  };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function testKeyring(...versions: number[]): Keyring {
  return new Keyring((versions.length ? versions : [1]).map((version) => ({ version, key: randomBytes(32) })));
}

export function testHasher(): SubjectHasher {
  return new SubjectHasher(randomBytes(32));
}

import { openStorage, type Storage } from '../../src/storage/storage.js';
import type { RetentionConfig } from '../../src/storage/retention.js';
import type { ReceiptSigner } from '../../src/storage/crypto/receipt-signing.js';
import type { SegmentEvent } from '../../src/events/index.js';

export function storageOn(
  db: ScriptDb,
  options: { keyring?: Keyring; hasher?: SubjectHasher; retention?: RetentionConfig; receiptSigner?: ReceiptSigner | null } = {},
): Promise<Storage> {
  return openStorage({
    db,
    keyring: options.keyring ?? testKeyring(),
    hasher: options.hasher ?? testHasher(),
    retention: options.retention,
    receiptSigner: options.receiptSigner ?? null,
  });
}

let counter = 0;
/** A track event with a unique messageId. */
export function track(userId: string | null, event: string, properties: Record<string, unknown> = {}, extra: Partial<SegmentEvent> = {}): SegmentEvent {
  return {
    type: 'track',
    event,
    messageId: `msg-${process.pid}-${Date.now()}-${++counter}`,
    ...(userId ? { userId } : { anonymousId: `anon-${counter}` }),
    timestamp: new Date().toISOString(),
    properties,
    ...extra,
  };
}

export function identify(userId: string, traits: Record<string, unknown>, timestamp = new Date().toISOString()): SegmentEvent {
  return { type: 'identify', messageId: `id-${process.pid}-${Date.now()}-${++counter}`, userId, traits, timestamp };
}
