// Stateful engines end to end: configs with storage/inventory/review/alerts on a real database
// (PostgreSQL in a unique schema, or PGlite in a temp directory), and the storage handles tests
// use to look at what the engine wrote.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngineConfig, type EngineConfig } from '../../src/config/load.js';
import { openStorage, type Storage } from '../../src/storage/storage.js';
import { dropSchema, postgresUrl, uniqueSchema, type Engine } from '../storage/helpers.js';
import { tempDir } from '../pipeline/helpers.js';

export { ENGINES, type Engine } from '../storage/helpers.js';

/** Keys of one test database (config values, never the process environment). */
export function testKeys(): { masterKeys: string; lookupKey: string } {
  return { masterKeys: `1:${randomBytes(32).toString('base64')}`, lookupKey: randomBytes(32).toString('base64') };
}

/** Where one test's state lives: a PostgreSQL schema, or a PGlite directory. */
export interface TestStore {
  engine: Engine;
  /** The `storage:` section for engine configs. */
  yaml: string;
  keys: { masterKeys: string; lookupKey: string };
  url: string | undefined;
  schema: string | undefined;
  dataDir: string | undefined;
  /** Opens the store as the engine sees it (for PGlite: only while no engine has it open). */
  open(): Promise<Storage>;
  /** Drops the schema (PostgreSQL). */
  drop(): Promise<void>;
}

export async function testStore(engine: Engine, prefix: string): Promise<TestStore> {
  const keys = testKeys();
  const url = engine === 'postgres' ? await postgresUrl() : undefined;
  const schema = engine === 'postgres' ? uniqueSchema(prefix) : undefined;
  const dataDir = engine === 'pglite' ? join(tempDir('sl-state-'), 'db') : undefined;
  const yaml = `storage:
  ${url ? `databaseUrl: "${url}"\n  schema: ${schema}` : `dataDir: "${dataDir}"`}
  masterKeys: "${keys.masterKeys}"
  lookupKey: "${keys.lookupKey}"
`;
  return {
    engine,
    yaml,
    keys,
    url,
    schema,
    dataDir,
    open: () =>
      openStorage({
        url,
        schema,
        dataDir,
        env: { SEGMENTLOOM_MASTER_KEYS: keys.masterKeys, SEGMENTLOOM_LOOKUP_KEY: keys.lookupKey },
      }),
    drop: async () => {
      if (url && schema) await dropSchema(url, schema);
    },
  };
}

export async function writeEngineConfig(text: string, dir = tempDir('sl-int-')): Promise<{ file: string; dir: string; config: EngineConfig }> {
  const file = join(dir, 'engine.yaml');
  writeFileSync(file, text);
  return { file, dir, config: await loadEngineConfig(file, {}) };
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function ndjson(events: unknown[]): string {
  return `${events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n')}\n`;
}
