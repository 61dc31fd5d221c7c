// An alert's "Review in inbox" link opened in a browser: a page a person can use (which point,
// how to sign in), never a bare 401 and never a value; API clients still get the API.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxUrl } from '../../src/alerts/alert.js';
import { REVIEW_PAGE_CSP } from '../../src/api/review-page.js';
import { startTestApi, type TestApi } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the review page behind alert links', () => {
  let t: TestApi;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApi();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens in a browser with the point named, sign-in steps, strict CSP and no CSP violation', async () => {
    const link = inboxUrl(t.url, 'web-app', 'Order <Completed>', "properties.o'brien[].email");
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toBe(REVIEW_PAGE_CSP);
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).not.toContain('script-src');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    const body = await page.locator('body').textContent();
    expect(body).toContain('A data point to review');
    expect(body).toContain('Order <Completed>');
    expect(body).toContain("properties.o'brien[].email");
    expect(body).toContain('segmentloom inventory accept');
    expect(body).toContain('segmentloom keys create');
    expect(body).toContain('Authorization: Bearer');
    // The markup in the event name stayed text; the inline style applied (the CSP hash matches).
    expect(await page.locator('dd code').count()).toBe(3);
    expect(
      await page
        .locator('body')
        .evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { maxWidth: string } }).getComputedStyle(el).maxWidth),
    ).not.toBe('none');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('API clients still get the API: 401 without a key, JSON with one', async () => {
    const anonymous = await t.call('GET', '/inventory/inbox?source=web-app', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error ?? anonymous.json.code ?? anonymous.json).toBeTruthy();
    const browserWithKey = await t.call('GET', '/inventory/inbox?source=web-app', { headers: { accept: 'text/html' } });
    expect(browserWithKey.status).toBe(200);
    expect(browserWithKey.json.items).toEqual([]);
  });
});
