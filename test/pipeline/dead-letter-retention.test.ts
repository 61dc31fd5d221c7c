// The dead-letter path has a retention (file: rotated by size, rotated files deleted past an age;
// Kafka: the topic's retention.ms, see kafka-dead-letter.e2e.test.ts), and dead letters are
// counted and alerted on, rate-limited, without event content.
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { DeadLetterAlerts } from '../../src/pipeline/dead-letter-alerts.js';
import { RotatingFile } from '../../src/pipeline/file/rotate.js';
import { runFileEngine } from '../../src/app/start.js';
import type { DataPointSignal } from '../../src/inventory/types.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { receivedAlerts } from '../integration/alerts-helpers.js';
import { ndjson, testStore, writeEngineConfig, type TestStore } from '../integration/helpers.js';
import { sampleEvent, tempDir } from './helpers.js';

const DAY = 86_400_000;

describe('dead-letter file retention', () => {
  it('rotates past maxBytes, keeps whole lines in every file, and never truncates a previous run', async () => {
    const dir = tempDir('sl-dlq-rot-');
    const path = join(dir, 'dead-letter.ndjson');
    writeFileSync(path, '{"previous":"run"}\n');
    const file = new RotatingFile(path, { maxBytes: 100, retentionMs: 7 * DAY });
    for (let i = 0; i < 10; i++) await file.write(`${JSON.stringify({ i, pad: 'x'.repeat(30) })}\n`);
    await file.close();
    const files = readdirSync(dir).sort();
    const rotated = files.filter((f) => f !== 'dead-letter.ndjson');
    expect(rotated.length).toBeGreaterThanOrEqual(4);
    const lines = files.flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    // Every record, once, each line whole JSON; the previous run's record rotated away, not lost.
    expect(lines.map((l) => JSON.parse(l))).toHaveLength(11);
    expect(lines).toContain('{"previous":"run"}');
    for (const f of files) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(100);
  });

  it('deletes rotated files older than the retention, keeps younger ones and the current file', async () => {
    const dir = tempDir('sl-dlq-age-');
    const old = join(dir, 'dead-letter.2020-01-01T00-00-00-000Z.ndjson');
    const young = join(dir, 'dead-letter.2026-01-01T00-00-00-000Z.ndjson');
    const other = join(dir, 'warehouse.ndjson');
    for (const f of [old, young, other]) writeFileSync(f, '{}\n');
    utimesSync(old, new Date(Date.now() - 8 * DAY), new Date(Date.now() - 8 * DAY));
    utimesSync(young, new Date(Date.now() - 6 * DAY), new Date(Date.now() - 6 * DAY));
    utimesSync(other, new Date(Date.now() - 30 * DAY), new Date(Date.now() - 30 * DAY));
    const deleted: string[] = [];
    const file = new RotatingFile(join(dir, 'dead-letter.ndjson'), { maxBytes: 1 << 20, retentionMs: 7 * DAY, onDelete: (f) => deleted.push(f) });
    await file.write('{"a":1}\n');
    await file.close();
    expect(deleted).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(readFileSync(join(dir, 'dead-letter.ndjson'), 'utf8')).toBe('{"a":1}\n');
  });
});

describe('dead-letter alerts', () => {
  it('alerts at once, then at most once per source and code per interval with the count since', () => {
    let now = 1_000_000;
    const sent: DataPointSignal[][] = [];
    const alerts = new DeadLetterAlerts(
      60_000,
      (s) => sent.push(s),
      () => now,
    );
    alerts.record('web', new Map([['malformed_json', 2]]));
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toMatchObject({
      kind: 'dead_letter',
      deadLetter: { code: 'malformed_json', count: 2 },
      point: { source: 'web', path: 'malformed_json', example: null },
    });
    now += 10_000;
    alerts.record('web', new Map([['malformed_json', 3]]));
    now += 10_000;
    alerts.record(
      'web',
      new Map([
        ['malformed_json', 4],
        ['oversized', 1],
      ]),
    );
    // The new code alerts at once; malformed_json waits for its interval.
    expect(sent.map((s) => s.map((x) => `${x.deadLetter!.code}:${x.deadLetter!.count}`))).toEqual([['malformed_json:2'], ['oversized:1']]);
    now += 41_000;
    alerts.record('app', new Map([['malformed_json', 1]]));
    expect(
      sent
        .at(-1)!
        .map((x) => `${x.point.source}:${x.deadLetter!.code}:${x.deadLetter!.count}`)
        .sort(),
    ).toEqual(['app:malformed_json:1', 'web:malformed_json:7']);
    // What is held back at shutdown goes out then.
    now += 1_000;
    alerts.record('web', new Map([['malformed_json', 5]]));
    alerts.close();
    expect(sent.at(-1)!.map((x) => `${x.point.source}:${x.deadLetter!.code}:${x.deadLetter!.count}`)).toEqual(['web:malformed_json:5']);
  });

  describe('through the configured channels', () => {
    let store: TestStore | undefined;
    let receiver: Receiver | undefined;
    afterAll(async () => {
      await receiver?.close();
      await store?.drop();
    });

    it('a file engine with alerts sends one dead_letter alert per code, with counts and no event content', async () => {
      store = await testStore('postgres', 'dlq_alerts');
      receiver = await startReceiver();
      const dir = tempDir('sl-dlq-alert-');
      const { config } = await writeEngineConfig(
        `source: web
batch: { size: 5 }
destinations:
  - { name: warehouse, topic: wh }
${store.yaml}inventory: { flushIntervalMs: 50 }
deadLetter: { alertIntervalMs: 600000 }
alerts:
  baseUrl: https://segmentloom.example.com
  outbox: { retryIntervalMs: 0 }
  channels:
    - name: hook
      type: webhook
      url: "${receiver.url}"
      secret: "whsec_dlq_alerts_0123456789"
      routes: { kinds: [dead_letter] }
      digest: { windowMs: 20, maxItems: 500 }
      retry: { attempts: 3, baseMs: 10, maxMs: 50 }
`,
        dir,
      );
      const input = join(dir, 'in.ndjson');
      const bad = Array.from({ length: 12 }, (_, i) => `{"type":"track","properties":{"email":"dl${i}@example.com"`);
      writeFileSync(
        input,
        `${ndjson([sampleEvent({ messageId: 'ok-1' })]) + bad.join('\n')}\n{"type":"track","properties":{"n":1e400,"email":"big@example.com"}}\n`,
      );
      await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out'), env: {} });
      const alerts = receivedAlerts(receiver) as unknown as Array<{ kind: string; path: string; deadLetter: { code: string; count: number } }>;
      // Three batches held malformed lines; one alert went out for the first, the rest at shutdown.
      const byCode = new Map<string, number>();
      for (const a of alerts) byCode.set(a.deadLetter.code, (byCode.get(a.deadLetter.code) ?? 0) + a.deadLetter.count);
      expect(alerts.every((a) => a.kind === 'dead_letter')).toBe(true);
      expect(Object.fromEntries(byCode)).toEqual({ malformed_json: 12, unrepresentable_number: 1 });
      expect(alerts.filter((a) => a.path === 'malformed_json').length).toBe(2);
      expect(receiver.requests.map((r) => r.body).join('\n')).not.toMatch(/dl\d+@|big@|1e400/);
    });
  });
});
