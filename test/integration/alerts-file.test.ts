// New data points → alerts, with file engines on a shared PostgreSQL schema: two engines finding
// the same new points at the same time raise exactly one alert per point between them (the
// database's atomic insert decides), and a receiver that hangs never holds the pipeline up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import { listDataPoints } from '../../src/inventory/review.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { sampleEvent, tempDir } from '../pipeline/helpers.js';
import { alertCounts, alertsYaml, receivedAlerts } from './alerts-helpers.js';
import { ndjson, testStore, writeEngineConfig, type TestStore } from './helpers.js';

const DESTINATIONS = `
destinations:
  - { name: warehouse, topic: wh }
`;

describe('alerts from file engines sharing a database', () => {
  const stores: TestStore[] = [];
  const receivers: Receiver[] = [];
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => {
    for (const s of stores) await s.drop();
  });

  function input(dir: string, n: number): string {
    const file = join(dir, 'in.ndjson');
    writeFileSync(
      file,
      ndjson(
        Array.from({ length: n }, (_, i) =>
          sampleEvent({ messageId: `m-${i}`, userId: `user-${i % 7}`, properties: { recovery_email: `r${i}@example.com`, total: i } }),
        ),
      ),
    );
    return file;
  }

  it('raises exactly one alert per new data point across two engines running at once', async () => {
    const store = await testStore('postgres', 'alerts_two');
    stores.push(store);
    const receiver = await startReceiver();
    receivers.push(receiver);
    const dir = tempDir();
    const events = input(dir, 200);
    const yaml = `source: web\nbatch: { size: 10 }\n${DESTINATIONS}${store.yaml}inventory: { flushIntervalMs: 50 }\n${alertsYaml(receiver.url)}`;
    const one = await writeEngineConfig(yaml, tempDir());
    const two = await writeEngineConfig(yaml, tempDir());
    const [a, b] = await Promise.all([
      runFileEngine(one.config, { logger: silentLogger(), input: events, outDir: join(dir, 'out-a'), env: {} }),
      runFileEngine(two.config, { logger: silentLogger(), input: events, outDir: join(dir, 'out-b'), env: {} }),
    ]);

    const side = await store.open();
    try {
      const points = await listDataPoints(side.db);
      expect(points.length).toBeGreaterThanOrEqual(8);
      // Each engine saw every point; the database handed each point to exactly one of them.
      expect(a.durable!.inventory!.newDataPoints + b.durable!.inventory!.newDataPoints).toBe(points.length);
      const counts = alertCounts(receiver);
      for (const p of points) expect(counts.get(`new web Order Completed ${p.path}`), p.path).toBe(1);
      expect(counts.get('new web Order Completed properties.recovery_email')).toBe(1);
      expect(receivedAlerts(receiver).length).toBe(points.length);
      // Alerts carry masked examples only.
      expect(receiver.requests.map((r) => r.body).join('\n')).not.toMatch(/@example\.com/);
      expect(receivedAlerts(receiver).find((x) => x.path === 'properties.recovery_email')!.example).toMatch(/^x+9*@x+\.x+$/);
    } finally {
      await side.close();
    }
  }, 60_000);

  it('keeps the pipeline going while the alert receiver hangs, and parks the alerts in the outbox', async () => {
    const store = await testStore('postgres', 'alerts_hang');
    stores.push(store);
    const receiver = await startReceiver(() => 'hang');
    receivers.push(receiver);
    const dir = tempDir();
    const { config } = await writeEngineConfig(
      `source: web\nbatch: { size: 20 }\n${DESTINATIONS}${store.yaml}inventory: { flushIntervalMs: 20 }\n${alertsYaml(receiver.url, { timeoutMs: 10_000, attempts: 1 })}`,
      tempDir(),
    );
    // Input trickles in, one batch every 100 ms, each with new data points to alert on.
    const stdin = new PassThrough();
    const batches: Array<{ end: number; seconds: number }> = [];
    const running = runFileEngine(config, {
      logger: silentLogger(),
      input: '-',
      stdin,
      outDir: join(dir, 'out'),
      env: {},
      observers: [{ onBatch: (report) => batches.push({ end: Date.now(), seconds: report.durationSeconds }) }],
    });
    for (let b = 0; b < 15; b++) {
      stdin.write(
        ndjson(
          Array.from({ length: 20 }, (_, i) => sampleEvent({ messageId: `h-${b}-${i}`, properties: { [`field_${b}_email`]: 'x@example.com', total: i } })),
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    stdin.end();
    const result = await running;

    expect(result.totals.totals.out.get('warehouse')).toBe(300);
    const hungAt = receiver.requests[0]!.at;
    // The receiver hung from early on, and batches kept completing meanwhile: the whole run ended
    // while the first alert request was still unanswered (it times out only after 10 s).
    const after = batches.filter((b) => b.end > hungAt);
    expect(after.length).toBeGreaterThan(5);
    expect(Math.max(...after.map((b) => b.end)) - hungAt).toBeLessThan(10_000);
    const side = await store.open();
    try {
      // Not lost: what could not be delivered waits in the outbox for a later attempt.
      expect(await new SqlOutbox(side.db).size()).toBeGreaterThan(0);
    } finally {
      await side.close();
    }
  }, 60_000);
});
