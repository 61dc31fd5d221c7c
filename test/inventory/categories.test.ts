import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, loadClassifierSet } from '../../src/detect/index.js';
import { EventScanner } from '../../src/pipeline/event-scanner.js';
import { upsertObservations } from '../../src/inventory/store.js';
import { getDataPoint, listDataPoints } from '../../src/inventory/review.js';
import { inventoryToCsv } from '../../src/inventory/csv.js';
import { ENGINES, openTestDb, type TestDb } from '../storage/helpers.js';
import { obs } from './fixtures.js';

async function scanner() {
  return new EventScanner(createDetector(await loadClassifierSet()));
}

const at = (t: string) => `2026-01-0${t}T00:00:00Z`;

describe('a point records every category it carries (issue 19)', () => {
  it('fields[].value holding an email, a phone number and a health remark lists all three, riskiest first', async () => {
    const s = await scanner();
    s.scanEvent(
      {
        type: 'track',
        event: 'Form Submitted',
        timestamp: at('1'),
        properties: {
          fields: [
            { name: 'email', value: 'jane@example.com' },
            { name: 'phone', value: '+1 415 555 0147' },
          ],
        },
      },
      'web',
    );
    s.scanEvent(
      {
        type: 'track',
        event: 'Form Submitted',
        timestamp: at('2'),
        properties: {
          fields: [
            { name: 'medical_condition', value: 'asthma, uses an inhaler' },
            { name: 'email', value: 'joe@example.com' },
          ],
        },
      },
      'web',
    );
    const point = s.aggregator.records().find((r) => r.path === 'properties.fields[].value')!;
    expect(point.category).toBe('health');
    expect(point.categories!.map((c) => c.category)).toEqual(['health', 'email', 'phone_number']);
    expect(point.categories!.find((c) => c.category === 'email')).toMatchObject({
      count: 2,
      lastSeen: '2026-01-02T00:00:00.000Z',
      classification: point.categories!.find((c) => c.category === 'email')!.classification,
    });
    expect(point.categories!.find((c) => c.category === 'phone_number')).toMatchObject({ count: 1, lastSeen: '2026-01-01T00:00:00.000Z' });
  });

  it('a chat transcript with a card number and an email lists both; the card (riskiest) governs', async () => {
    const s = await scanner();
    const transcript = 'agent: how can I help? customer: my card 4111 1111 1111 1111 was charged twice, write to me at jane@example.com';
    s.scanEvent({ type: 'track', event: 'Chat Ended', timestamp: at('3'), properties: { transcript } }, 'web');
    const point = s.aggregator.records().find((r) => r.path === 'properties.transcript')!;
    expect(point.category).toBe('credit_card_number');
    expect(point.categories!.map((c) => c.category)).toEqual(['credit_card_number', 'email']);
    // The masked example never holds the raw value.
    expect(point.example).not.toContain('4111 1111 1111 1111');
    expect(point.example).not.toContain('jane@example.com');
  });

  it('a point of one category lists just that one; a clean point lists none', async () => {
    const s = await scanner();
    s.scanEvent({ type: 'identify', userId: 'u1', timestamp: at('4'), traits: { email: 'a@example.com', plan: 'pro' } }, 'web');
    const records = s.aggregator.records();
    expect(records.find((r) => r.path === 'traits.email')!.categories).toEqual([
      {
        category: 'email',
        dataCategory: 'user.contact.email',
        classification: records.find((r) => r.path === 'traits.email')!.classification,
        count: 1,
        lastSeen: '2026-01-04T00:00:00.000Z',
      },
    ]);
    expect(records.find((r) => r.path === 'traits.plan')!.categories).toEqual([]);
  });
});

describe.each(ENGINES)('the stored inventory keeps every category (%s)', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine, 'detect_categories');
  });
  afterAll(() => t.close());

  const cat = (category: string, dataCategory: string, classification: 'red' | 'yellow' | 'green', count: number, lastSeen: string) => ({
    category,
    dataCategory,
    classification,
    count,
    lastSeen,
  });

  it('adds counts per category across flushes, riskiest first, and filters and exports by any of them', async () => {
    const key = { source: 'detect-cats', event: 'Form Submitted', path: 'properties.fields[].value' };
    await upsertObservations(t.db, [
      obs({
        ...key,
        category: 'email',
        dataCategory: 'user.contact.email',
        classification: 'yellow',
        count: 2,
        categories: [cat('email', 'user.contact.email', 'yellow', 2, '2026-01-01T00:00:00.000Z')],
      }),
    ]);
    await upsertObservations(t.db, [
      obs({
        ...key,
        category: 'health',
        dataCategory: 'user.health_and_medical',
        classification: 'red',
        count: 3,
        categories: [
          cat('health', 'user.health_and_medical', 'red', 1, '2026-01-03T00:00:00.000Z'),
          cat('email', 'user.contact.email', 'yellow', 1, '2026-01-02T00:00:00.000Z'),
          cat('phone_number', 'user.contact.phone_number', 'yellow', 1, '2026-01-02T00:00:00.000Z'),
        ],
      }),
    ]);
    const point = await getDataPoint(t.db, key);
    expect(point!.category).toBe('health');
    expect(point!.categories).toEqual([
      cat('health', 'user.health_and_medical', 'red', 1, '2026-01-03T00:00:00.000Z'),
      cat('email', 'user.contact.email', 'yellow', 3, '2026-01-02T00:00:00.000Z'),
      cat('phone_number', 'user.contact.phone_number', 'yellow', 1, '2026-01-02T00:00:00.000Z'),
    ]);
    // Review by category finds the point by a category that is not its primary one.
    const byPhone = await listDataPoints(t.db, { source: 'detect-cats', category: 'phone_number' });
    expect(byPhone.map((p) => p.path)).toEqual([key.path]);
    expect(await listDataPoints(t.db, { source: 'detect-cats', category: 'passport_number' })).toEqual([]);
    const csv = inventoryToCsv(byPhone);
    expect(csv.split('\r\n')[0]!.endsWith(',categories')).toBe(true);
    expect(csv.split('\r\n')[1]!.endsWith(',health:1;email:3;phone_number:1')).toBe(true);
  });
});
