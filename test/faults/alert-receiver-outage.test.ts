// Fault: the alert receiver (an HTTPS webhook on a private CA) is down — nothing listens on its
// port — while a running engine finds new data points, then comes up. The alerts must be parked
// in the outbox meanwhile (the pipeline keeps going), then delivered, each data point exactly once.
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../scripts/java-service.js';
import { createCa, createServerCert } from '../../scripts/test-certs.js';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { alertCounts } from '../integration/alerts-helpers.js';
import { ndjson, testStore, until, writeEngineConfig, type TestStore } from '../integration/helpers.js';
import { sampleEvent, tempDir } from '../pipeline/helpers.js';

/** How long the receiver stays down: short in CI; FAULT_ALERT_DOWN_MS=150000 for an outage of minutes. */
const DOWN_MS = Number(process.env.FAULT_ALERT_DOWN_MS ?? 20_000);
// Ten new email points (contact_0_email … contact_9_email), besides the event's own fields.
const POINTS = 10;

describe('alert receiver down, then up', () => {
  let store: TestStore | undefined;
  let receiver: Receiver | undefined;
  afterAll(async () => {
    await receiver?.close();
    await store?.drop();
  });

  it('parks the alerts while it is down and delivers each one once when it is back', { timeout: DOWN_MS + 300_000 }, async () => {
    store = await testStore('postgres', 'fault_alerts');
    const dir = tempDir('sl-fault-alerts-');
    const ca = createCa(join(dir, 'ca'), 'Alert Fault CA');
    const cert = createServerCert(ca, { name: 'receiver', ips: ['127.0.0.1'], dns: [] });
    const [port] = await freePorts(1);
    const url = `https://127.0.0.1:${port}/hook`;
    const { config } = await writeEngineConfig(
      `source: web
batch: { size: 10 }
destinations:
  - { name: warehouse, topic: wh }
${store.yaml}inventory: { flushIntervalMs: 50 }
alerts:
  baseUrl: https://segmentloom.example.com
  outbox: { retryIntervalMs: 500 }
  channels:
    - name: hook
      type: webhook
      url: "${url}"
      caFile: "${ca.certFile}"
      secret: "whsec_fault_0123456789abcdef"
      routes: { classifications: [red, yellow, green], kinds: [new, drift] }
      digest: { windowMs: 20, maxItems: 500 }
      rateLimit: { perMinute: 10000 }
      retry: { attempts: 2, baseMs: 10, maxMs: 50 }
      timeoutMs: 2000
`,
      dir,
    );
    const stdin = new PassThrough();
    const running = runFileEngine(config, {
      logger: process.env.DBG ? createLogger({ level: 'info' }) : silentLogger(),
      input: '-',
      stdin,
      outDir: join(dir, 'out'),
      env: {},
    });
    stdin.write(
      ndjson(Array.from({ length: POINTS }, (_, i) => sampleEvent({ messageId: `a-${i}`, properties: { [`contact_${i}_email`]: 'x@example.com' } }))),
    );

    // Down: the alerts wait in the outbox.
    const side = await store.open();
    const outbox = new SqlOutbox(side.db);
    await until(async () => (await outbox.size()) > 0, 'alerts parked in the outbox');
    const downSince = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downSince))));
    const parked = await outbox.size();
    expect(parked).toBeGreaterThan(0);

    // Up: the outbox's retries deliver them.
    receiver = await startReceiver(() => ({ status: 204 }), { tls: cert, port });
    const upAt = Date.now();
    const expected = (counts: Map<string, number>) => [...counts.keys()].filter((k) => /contact_\d+_email/.test(k)).length;
    // The outbox backs off exponentially (doubling from outbox.retryIntervalMs): after an outage
    // of D the next attempt can be up to about D away.
    await until(() => expected(alertCounts(receiver!)) >= POINTS, 'every parked alert delivered', 60_000 + DOWN_MS).catch(async (err) => {
      console.log('received', receiver!.requests.length, [...alertCounts(receiver!).keys()]);
      throw err;
    });
    const recoverMs = Date.now() - upAt;
    await until(async () => (await outbox.size()) === 0, 'the outbox emptied', 30_000);
    // A few retry rounds more: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 2000));
    stdin.end();
    await running;
    await side.close();

    const counts = alertCounts(receiver);
    const contact = [...counts].filter(([k]) => /contact_\d+_email/.test(k));
    // Every alert raised (the contact points and the event's other new fields) arrived once.
    const duplicates = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    const figures = {
      alertsDelivered: counts.size,
      emailPoints: contact.length,
      parkedEntries: parked,
      downMs: upAt - downSince,
      duplicates,
      lost: POINTS - contact.length,
      recoverMs,
    };
    console.log(`[fault] alert-receiver-outage ${JSON.stringify(figures)}`);
    expect(contact).toHaveLength(POINTS);
    expect(duplicates).toBe(0);
  });
});
