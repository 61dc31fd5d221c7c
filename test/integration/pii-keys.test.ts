// Personal data where a key or an event name belongs: controlled at the source per policy, and
// never written in the clear to destinations that may not have it, the events table, or the
// inventory's paths (which Viewers and the CSV export see).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDataPoints } from '../../src/inventory/review.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { expectedHash, policyYaml, tempDir } from '../pipeline/helpers.js';
import { ENGINES, ndjson, testStore, writeEngineConfig, type TestStore } from './helpers.js';

const INVITEE = 'carol@example.com';
const RECIPIENT = 'dave@example.com';
const SSN = '536-22-8741';
const CARD = '4111111111111111';

const hostile = {
  type: 'track',
  event: `Invited ${INVITEE}`,
  messageId: 'm-keys',
  userId: 'user-k',
  context: { consent: { categoryPreferences: { Analytics: true, Advertising: true } } },
  properties: {
    recipients: { [RECIPIENT]: { status: 'sent' } },
    ssn_by_person: { [SSN]: 'x' },
    cards: { [CARD]: 1 },
    plan: 'pro',
  },
};

describe.each(ENGINES)('personal data in keys and event names (%s)', (engine) => {
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  it('drops or hashes the keys per policy and stores only normalised names and paths', async () => {
    const store = await testStore(engine, 'pii_keys');
    stores.push(store);
    const dir = tempDir();
    // ads hashes email; analytics only takes green (its allow-list removes email): the email key
    // is not fit for every destination, so it leaves the source hashed or not at all.
    const { config } = await writeEngineConfig(
      `source: web\n${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\n${store.yaml}\ninventory: { flushIntervalMs: 100 }\n`,
      dir,
    );
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, ndjson([hostile]));
    const outDir = join(dir, 'out');
    const result = await runFileEngine(config, { logger: silentLogger(), input, outDir, env: {} });
    expect(result.totals.totals.stored).toBe(1);

    for (const topic of ['warehouse', 'analytics', 'ads']) {
      let text = '';
      try {
        text = readFileSync(join(outDir, `${topic}.ndjson`), 'utf8');
      } catch {
        continue; // a destination that received nothing
      }
      for (const raw of [SSN, CARD, INVITEE, RECIPIENT]) expect(text, `${topic} carries ${raw}`).not.toContain(raw);
    }
    const wh = JSON.parse(readFileSync(join(outDir, 'warehouse.ndjson'), 'utf8').trim().split('\n')[0]!);
    expect(wh.event).toBe('Invited <email>');
    expect(wh.properties.ssn_by_person).toEqual({});
    expect(wh.properties.cards).toEqual({});
    // Removed by analytics' allow-list, so not kept whole for anyone: hashed keys would be
    // expectedHash(RECIPIENT) only where hashing is the strictest action.
    expect(Object.keys(wh.properties.recipients)).not.toContain(expectedHash(RECIPIENT));
    expect(wh.properties.plan).toBe('pro');

    const storage = await store.open();
    try {
      const [row] = await storage.db.query<{ event_name: string }>('SELECT event_name FROM events');
      expect(row!.event_name).toBe('Invited <email>');
      const points = await listDataPoints(storage.db);
      const text = JSON.stringify(points);
      for (const raw of [SSN, CARD, INVITEE, RECIPIENT, '8741', 'dave@']) expect(text).not.toContain(raw);
      const paths = points.map((p) => `${p.event} ${p.path} ${p.category ?? '-'}`);
      expect(paths).toEqual(
        expect.arrayContaining([
          'Invited <email> properties.recipients.<email> email',
          'Invited <email> properties.ssn_by_person.<us_ssn> us_ssn',
          'Invited <email> properties.cards.<credit_card_number> credit_card_number',
        ]),
      );
      const ssn = points.find((p) => p.path === 'properties.ssn_by_person.<us_ssn>')!;
      expect(ssn.destinations).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('renames a key to its pseudonym where hashing is the strictest action', async () => {
    const store = await testStore(engine, 'pii_keys_hash');
    stores.push(store);
    const dir = tempDir();
    const { config } = await writeEngineConfig(
      `source: web
hashing: { current: 1, keys: [{ version: 1, secret: "pipeline-test-key-0123456789" }] }
policies:
  - { name: hash-email, match: { categories: [email] }, action: hash }
destinations:
  - { name: warehouse, topic: wh }
${store.yaml}
inventory: { flushIntervalMs: 100 }
`,
      dir,
    );
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, ndjson([{ ...hostile, properties: { recipients: { [RECIPIENT]: { status: 'sent' } } } }]));
    const outDir = join(dir, 'out');
    await runFileEngine(config, { logger: silentLogger(), input, outDir, env: {} });
    const wh = JSON.parse(readFileSync(join(outDir, 'warehouse.ndjson'), 'utf8').trim());
    expect(wh.properties.recipients).toEqual({ [expectedHash(RECIPIENT)]: { status: 'sent' } });
    const storage = await store.open();
    try {
      const points = await listDataPoints(storage.db);
      expect(points.map((p) => p.path)).toContain('properties.recipients.<email>.status');
      expect(JSON.stringify(points)).not.toContain('hmac:');
    } finally {
      await storage.close();
    }
  });
});
