import { describe, expect, it } from 'vitest';
import { AlertsConfigError, alertsConfigSchema, parseAlertsConfig } from '../../src/alerts/config.js';

function issues(input: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseAlertsConfig(input, env);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertsConfigError);
    return (err as AlertsConfigError).issues.map((issue) => `${issue.field}: ${issue.message}`);
  }
  throw new Error('expected a validation error');
}

describe('alerts config', () => {
  it('fills defaults and resolves ${ENV} references', () => {
    const cfg = parseAlertsConfig(
      {
        baseUrl: 'https://sl.example.com/',
        channels: [
          { name: 'sec', type: 'slack', url: '${SLACK_URL}' },
          { name: 'hook', type: 'webhook', url: 'https://h.example.com/${HOOK_PATH}', secret: '${HOOK_SECRET}' },
          { name: 'pd', type: 'pagerduty', routingKey: '${PD_KEY}', routes: { classifications: ['red'], kinds: ['new'] } },
        ],
      },
      { SLACK_URL: 'https://hooks.slack.com/services/T/B/x', HOOK_PATH: 'in', HOOK_SECRET: 'a-long-enough-secret', PD_KEY: 'R0UT1NG' },
    );
    expect(cfg.baseUrl).toBe('https://sl.example.com');
    const [slack, hook, pd] = cfg.channels;
    expect(slack).toMatchObject({
      url: 'https://hooks.slack.com/services/T/B/x',
      routes: { classifications: ['red', 'yellow'], kinds: ['new', 'drift', 'leak', 'dead_letter'] },
      digest: { windowMs: 5000, maxItems: 50 },
      rateLimit: { perMinute: 30 },
      retry: { attempts: 5, baseMs: 500, maxMs: 60000 },
    });
    expect(hook).toMatchObject({ url: 'https://h.example.com/in', secret: 'a-long-enough-secret' });
    expect(pd).toMatchObject({ routingKey: 'R0UT1NG', url: 'https://events.pagerduty.com/v2/enqueue', routes: { classifications: ['red'], kinds: ['new'] } });
    expect(cfg.outbox.retryIntervalMs).toBe(60_000);
  });

  it('names the field in every validation error', () => {
    const out = issues({
      baseUrl: 'not a url',
      channels: [
        { name: 'a', type: 'slack', url: 'ftp://x', digest: { windowMs: -1 } },
        { name: 'a', type: 'webhook', url: 'https://x.example', secret: 'short', routes: { kinds: ['old'] } },
        { name: 'c', type: 'teams', url: 'https://x.example' },
        { name: 'd', type: 'pagerduty' },
      ],
    });
    const joined = out.join('\n');
    expect(joined).toContain('alerts.baseUrl:');
    expect(joined).toContain('alerts.channels[0].url: must be an http(s) URL');
    expect(joined).toContain('alerts.channels[0].digest.windowMs:');
    expect(joined).toContain('alerts.channels[1].secret: must be at least 16 characters');
    expect(joined).toContain('alerts.channels[1].routes.kinds[0]:');
    expect(joined).toContain('alerts.channels[2].type:');
    expect(joined).toContain('alerts.channels[3].routingKey:');
  });

  it('reports a missing env var by name without leaking other values', () => {
    const out = issues(
      { baseUrl: 'https://sl.example.com', channels: [{ name: 'h', type: 'webhook', url: 'https://h.example.com', secret: '${NOPE}' }] },
      { OTHER: 'super-secret-value' },
    );
    expect(out).toEqual(['alerts.channels[0].secret: environment variable NOPE is not set (use ${NOPE:-default} for a fallback)']);
  });

  it('resolves references with the config rules: fallbacks, $${ for a literal ${, each value once', () => {
    const cfg = parseAlertsConfig(
      {
        baseUrl: '${BASE_URL:-https://sl.example.com}',
        channels: [
          { name: 'hook', type: 'webhook', url: 'https://h.example.com/$${HOOK_PATH}', secret: '${HOOK_SECRET}' },
          { name: 'pd', type: 'pagerduty', routingKey: 'key-$${PD_KEY}' },
        ],
      },
      // A value holding `${…}` or `$${` is the value: it is not resolved again.
      { BASE_URL: '', HOOK_PATH: 'resolved', PD_KEY: 'resolved', HOOK_SECRET: '$${PD_KEY}-${HOOK_PATH}-0123456789' },
    );
    expect(cfg.baseUrl).toBe('https://sl.example.com');
    expect(cfg.channels[0]).toMatchObject({ url: 'https://h.example.com/${HOOK_PATH}', secret: '$${PD_KEY}-${HOOK_PATH}-0123456789' });
    expect(cfg.channels[1]).toMatchObject({ routingKey: 'key-${PD_KEY}' });
  });

  it('validates, and never resolves, an already-resolved section embedded in a larger schema', () => {
    const parsed = alertsConfigSchema.parse({ baseUrl: 'https://sl.example.com', channels: [{ name: 'pd', type: 'pagerduty', routingKey: '${PD_KEY}' }] });
    expect(parsed.channels[0]).toMatchObject({ routingKey: '${PD_KEY}' });
  });

  it('rejects duplicate channel names and unknown keys', () => {
    const out = issues({
      baseUrl: 'https://sl.example.com',
      channels: [
        { name: 'x', type: 'slack', url: 'https://a.example' },
        { name: 'x', type: 'slack', url: 'https://a.example', colour: 'red' },
      ],
    });
    expect(out.join('\n')).toContain('alerts.channels[1]');
    expect(out.join('\n')).toMatch(/colour|duplicate/);
  });

  it('exports an embeddable zod schema', () => {
    expect(alertsConfigSchema.safeParse({ baseUrl: 'https://sl.example.com' }).success).toBe(true);
  });
});
