// analytics.js (@segment/analytics-next, its published browser bundle) in real Chromium, on a test
// page of another origin than the ingest: CORS, its text/plain single-event posts and its batching
// mode (Basic auth, preflight), context.ip from the connection. Every event arrives once.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKafka } from '../helpers/kafka.js';
import { startTestIngest, type TestIngest } from './helpers.js';

const BUNDLES = join(process.cwd(), 'node_modules/@segment/analytics-next/dist/umd');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describeKafka('analytics.js in Chromium', () => {
  let s: TestIngest;
  let pages: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    pages = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/ajs.js' || url.pathname.startsWith('/analytics-next/bundles/')) {
        const name = url.pathname === '/ajs.js' ? 'index.js' : url.pathname.slice('/analytics-next/bundles/'.length);
        if (!/^[\w.-]+\.js$/.test(name)) return void res.writeHead(404).end();
        try {
          return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(BUNDLES, name)));
        } catch {
          return void res.writeHead(404).end();
        }
      }
      if (url.pathname === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page(url.searchParams.get('mode') ?? 'each'));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    s = await startTestIngest({ cors: { origins: [origin] }, sources: [{ name: 'web', collectIp: true }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await new Promise((r) => pages?.close(r));
  });

  function page(mode: string): string {
    const ingestHost = `${s.url.replace(/^http:\/\//, '')}/v1`;
    const segment = {
      apiKey: s.writeKey,
      apiHost: ingestHost,
      protocol: 'http',
      ...(mode === 'batching' ? { deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 200 } } } : {}),
    };
    return `<!doctype html><html><head><title>shop</title><script src="/ajs.js"></script></head><body><script>
      const analytics = AnalyticsNext.AnalyticsBrowser.load({ writeKey: ${JSON.stringify(s.writeKey)}, cdnURL: ${JSON.stringify(origin)}, cdnSettings: { integrations: { 'Segment.io': ${JSON.stringify(segment)} } } });
      window.done = Promise.all([
        analytics.page('Shop', 'Home', { mode: ${JSON.stringify(mode)} }),
        analytics.identify('browser-user', { plan: 'pro', mode: ${JSON.stringify(mode)} }),
        analytics.track('Button Clicked', { mode: ${JSON.stringify(mode)} }),
      ]).then((ctxs) => ctxs.map((c) => c.event.messageId));
    </script></body></html>`;
  }

  it.each(['each', 'batching'])('delivers page, identify and track (%s mode) once each, with context.ip', async (mode) => {
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (err) => problems.push(err.message));
    tab.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
    try {
      await tab.goto(`${origin}/page.html?mode=${mode}`);
      const ids = (await tab.evaluate('window.done')) as string[];
      expect(ids, problems.join('\n')).toHaveLength(3);
      await s.reader.waitFor(() => ids.every((id) => s.reader.json(s.topic).some((e) => e.messageId === id)), 30_000, `${mode} events`);
      const events = s.reader.json(s.topic).filter((e) => ids.includes(e.messageId));
      expect(events).toHaveLength(3);
      expect(events.map((e) => e.type).sort()).toEqual(['identify', 'page', 'track']);
      for (const e of events) {
        expect(e.context.library.name).toBe('analytics.js');
        expect(e.context.ip).toBe('127.0.0.1');
        expect(e.context.userAgent).toContain('HeadlessChrome');
        expect(e.anonymousId).toBeTypeOf('string');
        expect(e.writeKey).toBeUndefined();
        expect(e.properties?.mode ?? e.traits?.mode).toBe(mode);
      }
    } finally {
      await tab.close();
    }
  });
});
