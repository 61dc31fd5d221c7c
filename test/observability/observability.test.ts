import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { EngineMetrics } from '../../src/observability/metrics.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/server.js';
import { bump, bump2, emptyReport } from '../../src/pipeline/report.js';

const servers: ObservabilityServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe('EngineMetrics', () => {
  it('exposes every engine metric with bounded labels', async () => {
    const metrics = new EngineMetrics();
    const report = emptyReport();
    report.eventsIn = 10;
    bump(report.out, 'warehouse', 8);
    bump(report.dropped, 'suppressed', 1);
    bump(report.deadLettered, 'malformed_json', 1);
    bump(report.detections, 'red', 3);
    bump2(report.actions, 'block-secrets', 'block', 3);
    report.durationSeconds = 0.02;
    report.lag = { topic: 'events', partition: 2, lag: 17 };
    metrics.onBatch(report);
    metrics.onReload('rejected');
    const text = await metrics.text();
    expect(text).toContain('segmentloom_events_in_total 10');
    expect(text).toContain('segmentloom_events_out_total{destination="warehouse"} 8');
    expect(text).toContain('segmentloom_events_dropped_total{reason="suppressed"} 1');
    expect(text).toContain('segmentloom_events_dead_lettered_total{code="malformed_json"} 1');
    expect(text).toContain('segmentloom_data_points_total{classification="red"} 3');
    expect(text).toContain('segmentloom_policy_actions_total{policy="block-secrets",action="block"} 3');
    expect(text).toContain('segmentloom_batch_duration_seconds_count 1');
    expect(text).toContain('segmentloom_consumer_lag{topic="events",partition="2"} 17');
    expect(text).toContain('segmentloom_config_reloads_total{result="rejected"} 1');
  });
});

describe('observability server', () => {
  it('serves /metrics, /healthz and /readyz', async () => {
    const metrics = new EngineMetrics();
    let joined = false;
    const server = await startObservabilityServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      ready: () => ({ consumer: joined, config: true }),
    });
    servers.push(server);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: { consumer: false, config: true } });
    joined = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain('segmentloom_events_in_total');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe('logger', () => {
  it('writes JSON lines and redacts value-bearing fields', () => {
    let out = '';
    const destination = new Writable({
      write(chunk, _e, done) {
        out += String(chunk);
        done();
      },
    });
    const logger = createLogger({ destination, level: 'info' });
    logger.info(
      { path: 'properties.email', value: 'ada@example.com', message: { key: 'user-1', headers: { a: 'b' } }, sasl: { password: 'pw-secret' }, count: 3 },
      'x',
    );
    const line = JSON.parse(out.trim());
    expect(line).toMatchObject({ level: 'info', path: 'properties.email', value: '[redacted]', count: 3, msg: 'x' });
    expect(out).not.toContain('ada@example.com');
    expect(out).not.toContain('user-1');
    expect(out).not.toContain('pw-secret');
  });
});
