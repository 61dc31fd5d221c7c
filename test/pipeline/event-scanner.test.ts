// The scanner's event time: Segment's usual UTC form read by character codes, the same instant
// Date.parse gives; anything else goes to Date.parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventScanner, eventTime, parseUtcTimestamp } from '../../src/pipeline/event-scanner.js';
import { InventoryAggregator, OVERFLOW_EVENT, OVERFLOW_PATH } from '../../src/inventory/aggregate.js';
import { createDetector, loadClassifierSet } from '../../src/detect/index.js';

describe('parseUtcTimestamp', () => {
  it('reads YYYY-MM-DDTHH:MM:SS[.fff]Z exactly as Date.parse does', () => {
    const instant = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, fc.boolean(), (date, withMillis) => {
        const text = withMillis ? date.toISOString() : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
        return parseUtcTimestamp(text) === Date.parse(text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('falls back to Date.parse for other forms and out-of-range fields', () => {
    for (const text of ['2026-01-01T10:00:00+02:00', '2026-13-01T10:00:00Z', '2026-01-01T25:00:00Z', '2026-01-0xT10:00:00Z', 'yesterday']) {
      expect(Object.is(parseUtcTimestamp(text), Date.parse(text))).toBe(true);
    }
  });

  it('gives an event its timestamp, else originalTimestamp, else now', () => {
    expect(eventTime({ type: 'track', event: 'x', timestamp: '2026-01-01T00:00:00.000Z' })).toBe(Date.UTC(2026, 0, 1));
    expect(eventTime({ type: 'track', event: 'x', timestamp: 'garbage', originalTimestamp: '2025-06-01T12:00:00Z' })).toBe(Date.UTC(2025, 5, 1, 12));
    const before = Date.now();
    expect(eventTime({ type: 'track', event: 'x' })).toBeGreaterThanOrEqual(before);
  });
});

describe('InventoryAggregator', () => {
  it('past its bound on event names, files new names under one overflow bucket per source', () => {
    const aggregator = new InventoryAggregator(2);
    const a = aggregator.bucket('web', 'A');
    aggregator.bucket('web', 'B');
    const overflow = aggregator.bucket('web', 'C');
    expect(overflow.event).toBe(OVERFLOW_EVENT);
    expect(aggregator.bucket('web', 'D')).toBe(overflow);
    expect(aggregator.bucket('web', 'A')).toBe(a);
    expect(aggregator.bucket('ios', 'E').event).toBe(OVERFLOW_EVENT);
  });

  it('past its path bound, files the values of transient nodes under one overflow point, not one per event', async () => {
    const detector = createDetector(await loadClassifierSet());
    const aggregator = new InventoryAggregator(10, 4);
    const bucket = aggregator.bucket('web', 'Viewed');
    const observe = (path: string, value: string) => {
      const node = bucket.trie.resolve(path);
      bucket.observe(node, value, detector.detect(node, value), 0);
    };
    observe('properties.email', 'jane@example.com');
    for (let i = 0; i < 100; i++) observe(`properties.k${i}`, i === 50 ? 'ada@example.com' : 'x');
    expect(bucket.points).toHaveLength(4);
    const overflow = aggregator.records().find((r) => r.path === OVERFLOW_PATH)!;
    // The riskiest value past the bound decides the point's classification; its example is masked.
    expect(overflow).toMatchObject({ count: 98, category: 'email' });
    expect(overflow.example).not.toContain('ada@example.com');
  });

  it('bounds the path nodes of every event name together, not only per name', async () => {
    const detector = createDetector(await loadClassifierSet());
    // 10 path nodes per name allowed, 6 across all names: "properties" and two keys for each of the first two names.
    const aggregator = new InventoryAggregator(100, 10, 6);
    for (let name = 0; name < 20; name++) {
      const bucket = aggregator.bucket('web', `Event ${name}`);
      for (const path of [`properties.a${name}`, `properties.b${name}`]) {
        const node = bucket.trie.resolve(path);
        bucket.observe(node, 'jane@example.com', detector.detect(node, 'jane@example.com'), 0);
      }
    }
    expect(aggregator.pathCount).toEqual({ used: 6, max: 6 });
    const records = aggregator.records();
    // Past the shared bound, each further name's values are one overflow point: counted, not lost.
    expect(records.filter((r) => r.path !== OVERFLOW_PATH)).toHaveLength(4);
    expect(records.filter((r) => r.path === OVERFLOW_PATH).reduce((n, r) => n + r.count, 0)).toBe(40 - 4);
  });
});

describe('EventScanner', () => {
  it('keeps no raw value of an event once it is scanned, accepted or rejected', async () => {
    const scanner = new EventScanner(createDetector(await loadClassifierSet()), { maxBytes: 1 << 20, maxDepth: 32, maxLeaves: 3 });
    expect(scanner.scanEvent({ type: 'track', event: 'x', properties: { email: 'jane@example.com' } }, 'web').ok).toBe(true);
    expect(scanner.scanEvent({ type: 'track', event: 'x', properties: { a: 'secret-1', b: 'secret-2', c: 'secret-3' } }, 'web').ok).toBe(false);
    const held = (scanner as unknown as { values: unknown[] }).values;
    expect(held.filter((v) => v !== null && v !== undefined)).toEqual([]);
  });
});

describe('EventScanner on group calls', () => {
  it("files a group's traits.name as no personal data and an identify's as a person's name", async () => {
    const scanner = new EventScanner(createDetector(await loadClassifierSet()));
    scanner.scanEvent({ type: 'group', groupId: 'org_1', traits: { name: 'Acme Inc', email: 'billing@acme.example.com' } }, 'web');
    scanner.scanEvent({ type: 'identify', userId: 'u1', traits: { name: 'Jane Doe' } }, 'web');
    const record = (event: string, path: string) => scanner.aggregator.records().find((r) => r.event === event && r.path === path);
    expect(record('group', 'traits.name')).toMatchObject({ category: null, classification: 'green' });
    expect(record('group', 'traits.email')).toMatchObject({ category: 'email' });
    expect(record('identify', 'traits.name')).toMatchObject({ category: 'person_name' });
  });
});

describe('EventScanner: personal data in keys and event names', () => {
  it('reports such keys as data points, and shows placeholders in names and paths', async () => {
    const detector = createDetector(await loadClassifierSet());
    const scanner = new EventScanner(detector);
    const event = {
      type: 'track',
      event: 'Invited carol@example.com',
      properties: { recipients: { 'dave@example.com': { status: 'sent' } }, ssn_by_person: { '536-22-8741': 'x' } },
    };
    expect(scanner.scanEvent(event as never, 'web')).toMatchObject({ ok: true });
    const records = scanner.aggregator.records();
    const text = JSON.stringify(records);
    for (const raw of ['carol@', 'dave@', '536-22-8741', '8741']) expect(text).not.toContain(raw);
    expect(records.map((r) => `${r.event} ${r.path} ${r.category ?? '-'}`)).toEqual(
      expect.arrayContaining([
        'Invited <email> properties.recipients.<email> email',
        'Invited <email> properties.recipients.<email>.status -',
        'Invited <email> properties.ssn_by_person.<us_ssn> us_ssn',
      ]),
    );
  });
});
