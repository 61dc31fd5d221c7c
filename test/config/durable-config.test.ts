// The database-backed sections of the engine config: storage, inventory, alerts, review,
// suppression.fromStore. Errors name the file and the field, never a value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sl-durable-config-')), 'engine.yaml');
  writeFileSync(file, text);
  return file;
}

async function failure(text: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const err = await loadEngineConfig(write(text), env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('durable config sections', () => {
  it('reads storage, inventory, review, alerts and suppression.fromStore with their defaults', async () => {
    const file = write(`
storage:
  databaseUrl: \${DATABASE_URL:-}
  dataDir: state/db
  schema: sl_test
inventory: {}
review: { pollIntervalMs: "250" }
suppression: { fromStore: "yes" }
alerts:
  baseUrl: https://privacy.example.com/
  channels:
    - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef" }
`);
    const config = await loadEngineConfig(file, {});
    // Empty URL: embedded PGlite; dataDir is relative to the config file.
    expect(config.storage).toEqual({
      databaseUrl: undefined,
      dataDir: join(file, '..', 'state/db'),
      schema: 'sl_test',
      retention: { default: '365d', events: {}, inventoryExamples: '90d', alertOutbox: '30d', from: 'received' },
      retentionSweep: { every: '1h', batchSize: 1_000 },
      correctionRelayMs: 5000,
    });
    expect(config.inventory).toEqual({ flushIntervalMs: 5000, maxEventNames: 50_000, pointMemoryPollMs: 5000 });
    expect(config.review).toEqual({ pollIntervalMs: 250 });
    expect(config.suppression).toMatchObject({ fromStore: true, pollIntervalMs: 5000 });
    expect(config.alerts!.baseUrl).toBe('https://privacy.example.com');
    expect(config.alerts!.channels[0]).toMatchObject({ name: 'hook', type: 'webhook', timeoutMs: 10000 });

    const pg = await loadEngineConfig(write('storage: { databaseUrl: "${DATABASE_URL}", retention: { default: 30d, events: { page: 7d } } }\n'), {
      DATABASE_URL: 'postgres://u:p@db:5432/x',
    });
    expect(pg.storage).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/x', dataDir: undefined, retention: { default: '30d', events: { page: '7d' } } });
  });

  it('requires storage for the sections that use the database, and inventory for alerts', async () => {
    expect((await failure('inventory: {}\n')).message).toMatch(/engine\.yaml: inventory: the shared inventory needs the storage section/);
    expect((await failure('review: {}\n')).field).toBe('review');
    expect((await failure('suppression: { fromStore: true }\n')).field).toBe('suppression.fromStore');
    const alerts = await failure('storage: {}\nalerts: { baseUrl: "https://x.example", channels: [] }\n');
    expect(alerts.field).toBe('alerts');
    expect(alerts.message).toMatch(/alerts need the inventory section/);
  });

  it('names the field of a bad value without echoing it', async () => {
    const url = await failure('storage: { databaseUrl: "mysql://root:hunter2@db/x" }\n');
    expect(url.field).toBe('storage.databaseUrl');
    expect(url.message).not.toContain('hunter2');
    expect((await failure('storage: { retention: { default: soon } }\n')).field).toBe('storage.retention.default');
    expect((await failure('storage: { schema: "a; drop table x" }\n')).field).toBe('storage.schema');
    expect((await failure('storage: {}\ninventory: { flushIntervalMs: 0 }\n')).field).toBe('inventory.flushIntervalMs');
    expect((await failure('storage: { typo: 1 }\n')).message).toMatch(/storage: Unrecognized key.*typo|storage\.typo|typo/);
    const secret = await failure(`storage: {}
inventory: {}
alerts:
  baseUrl: https://x.example
  channels: [{ name: hook, type: webhook, url: "http://127.0.0.1:9/hook", secret: short-secret }]
`);
    expect(secret.field).toBe('alerts.channels[0].secret');
    expect(secret.message).not.toContain('short-secret');
  });
});

describe('storage.retentionSweep', () => {
  it('is on by default (hourly, batches of 1000), can be tuned or turned off for cron users, and says what is wrong', async () => {
    const { storageSchema } = await import('../../src/config/durable-schema.js');
    expect(storageSchema.parse({}).retentionSweep).toEqual({ every: '1h', batchSize: 1000 });
    expect(storageSchema.parse({ retentionSweep: { every: '15m', batchSize: 500 } }).retentionSweep).toEqual({ every: '15m', batchSize: 500 });
    expect(storageSchema.parse({ retentionSweep: false }).retentionSweep).toBe(false);
    const bad = storageSchema.safeParse({ retentionSweep: { every: 'forever' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toMatch(/at least 1s/);
  });
});
