// The Privacy Portal in real Chromium (Debian's, driven by playwright-core), signed in through a
// real OpenID Provider (oidc-provider): a privacy officer's week — review a point, bulk accept,
// reject with a reason that sticks after new events, a deletion request and its receipt, every
// screen checked by axe-core and photographed — and a viewer refused an editor action.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, waitFor, type TestApi } from '../api/helpers.js';
import { CLIENT, freePort, ROLE_MAP, startOp, type TestOp } from './op.js';
import { RAW, seedShop } from './helpers.js';
import { SqlOutbox } from '../../src/alerts/outbox-sql.js';
import { upsertObservations } from '../../src/inventory/store.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-output/portal');
const AXE = readFileSync(join(process.cwd(), 'node_modules/axe-core/axe.min.js'), 'utf8');

describe('the Privacy Portal in Chromium', () => {
  let s: TestApi;
  let op: TestOp;
  let browser: Browser;
  const seen: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The provider must know the API's callback before the API starts, so the port is picked
    // free, released, then listened on: another process can take it in between. Then again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const redirect = `http://127.0.0.1:${port}/portal/auth/oidc/callback`;
      op = await startOp(redirect);
      try {
        s = await startTestApi({
          port,
          env: {
            SEGMENTLOOM_PORTAL_SESSION_SECRET: 'browser-test-session-secret-0123456789',
            SEGMENTLOOM_OIDC_ISSUER: op.issuer,
            SEGMENTLOOM_OIDC_CLIENT_ID: CLIENT.id,
            SEGMENTLOOM_OIDC_CLIENT_SECRET: CLIENT.secret,
            SEGMENTLOOM_OIDC_REDIRECT_URI: redirect,
            SEGMENTLOOM_OIDC_ROLE_MAP: ROLE_MAP,
          },
        });
        break;
      } catch (err) {
        await op.close();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw err;
      }
    }
    await seedShop(s.t.db);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await op?.close();
  });

  /** A fresh browser profile; every response body is kept to check no raw value reached it. */
  async function newContext(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    // The OP's development pages import a web font; this machine has no internet.
    await context.route(/fonts\.googleapis\.com/, (r) => r.abort());
    const page = await context.newPage();
    page.on('response', async (res) => {
      if (!res.url().startsWith(s.url)) return;
      if (res.url().includes('/subjects/export')) return;
      try {
        seen.push(await res.text());
      } catch {
        // redirects have no body
      }
    });
    return { context, page };
  }

  async function ssoSignIn(page: Page, user: string): Promise<void> {
    await page.goto(`${s.url}/portal/`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.locator('input[name=login]').fill(user);
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    if (await consent.isVisible().catch(() => false)) await consent.click();
    await page.waitForURL(`${s.url}/portal/**`);
  }

  async function check(page: Page, name: string): Promise<void> {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const g = globalThis as any;
      const result = await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
      return result.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations, `axe on ${name}`).toEqual([]);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  const row = (page: Page, path: string) =>
    page.locator('tbody tr', { has: page.getByRole('button', { name: new RegExp(`^Open ${path.replace('.', '\\.')} `) }) });

  it('an owner signs in through the OP and reviews a week of data points', async () => {
    const { context, page } = await newContext();
    await ssoSignIn(page, 'olivia');
    await expect.poll(() => page.getByRole('heading', { name: 'Inbox' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('.who').textContent()).toContain('owner');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(6);
    await check(page, 'inbox');

    // Review one point: why it was flagged, its masked example, where it went; then recolour and accept.
    await page.getByRole('button', { name: /^Open properties\.email / }).click();
    const detail = page.locator('section.detail');
    await expect.poll(() => detail.textContent()).toContain('classifier email matched on the key+value');
    expect(await detail.textContent()).toContain('warehouse');
    expect(await detail.locator('code.example').textContent()).not.toBe(RAW.email);
    await check(page, 'point-detail');
    await detail.getByRole('button', { name: 'Mark red' }).click();
    await expect.poll(() => detail.getByRole('status').textContent()).toContain('Classified red');
    await detail.getByRole('button', { name: 'Add to inventory' }).click();
    await expect.poll(() => row(page, 'properties.email').count()).toBe(0);

    // Reject the product code the phone classifier mistook, with a reason.
    await page.getByRole('button', { name: /^Open properties\.sku_code / }).click();
    await page.getByLabel('Not personal data — why?').fill('SKU product code, not a phone number');
    await page.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => detail.getByRole('status').textContent()).toContain('Rejected');
    await expect.poll(() => row(page, 'properties.sku_code').count()).toBe(0);

    // New events arrive for every point (the engines' flush): the rejection sticks.
    await seedShop(s.t.db, 60);
    await page.reload();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(4);
    expect(await row(page, 'properties.sku_code').count()).toBe(0);

    // Bulk: one selected, then everything the filter shows.
    await page.getByRole('checkbox', { name: /^Select traits\.phone / }).check();
    await page.getByRole('button', { name: 'Accept selected (1)' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    await page.getByLabel('Classification').selectOption('yellow');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Accept all shown (1)' }).click();
    await expect.poll(() => page.locator('tbody tr td').first().textContent()).toBe('Nothing here.');
    const inbox = await s.call('GET', '/inventory/inbox');
    expect(inbox.json.items.map((p: any) => p.path).sort()).toEqual(['properties.colour', 'traits.password']);

    // Inventory: the rejection is shown with its reason; the data map draws where data goes.
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('button', { name: /^Open properties\.sku_code / }).click();
    await expect.poll(() => page.locator('.exception').textContent()).toContain('SKU product code');
    await page.locator('section.datamap').scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('section.datamap svg path.band').count()).toBeGreaterThan(3);
    expect(await page.locator('section.datamap svg').textContent()).toContain('ip_address');
    expect(await page.getByRole('link', { name: 'Download CSV (everything)' }).count()).toBe(1);
    await check(page, 'inventory');
    await page.locator('section.datamap').screenshot({ path: join(SHOTS, 'data-map.png') });

    // A deletion request, followed to its receipt; the list is the server's, filtered there.
    for (const id of ['user-1', 'user-2']) await s.storage.requests.create('SUPPRESS', { userId: id });
    await page.getByRole('link', { name: 'Requests' }).click();
    await expect.poll(() => page.locator('td[data-status]').count()).toBe(2);
    await page.getByLabel('Type', { exact: true }).selectOption('DELETE');
    await page.getByLabel('Value').first().fill('user-4711');
    await page.getByRole('button', { name: 'Create request' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Request .* received/);
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh' }).first().click();
      return (await page.locator('td[data-status]').first().textContent()) === 'FINISHED';
    });
    await page.getByRole('button', { name: 'Receipt' }).click();
    const receipt = page.locator('section.receipt');
    await expect.poll(() => receipt.textContent()).toContain('DELETE');
    expect(await receipt.textContent()).not.toContain('user-4711');
    await check(page, 'requests');
    await page.getByLabel('Filter by type').selectOption('SUPPRESS');
    await expect.poll(() => page.locator('caption').first().textContent()).toContain('(2 matching)');
    await expect.poll(() => page.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(['SUPPRESS', 'SUPPRESS']);
    await page.getByLabel('Filter by type').selectOption('');
    await page.getByLabel('Filter by status').selectOption('FINISHED');
    await expect.poll(() => page.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(['DELETE']);

    // Detection: the try-it box says which classifier fires and shows the value masked.
    await page.getByRole('link', { name: 'Detection' }).click();
    await page.getByLabel('Key path').fill('traits.email');
    await page.getByLabel('Value').fill(RAW.email);
    await page.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => page.locator('.verdict').textContent()).toContain('email');
    expect(await page.locator('.verdict').textContent()).not.toContain(RAW.email);
    await page.getByLabel('Value').fill('');
    await check(page, 'detection');

    for (const [link, name, heading] of [
      ['Controls', 'controls', 'Controls'],
      ['Alerts', 'alerts', 'Alerts'],
      ['Audit log', 'audit', 'Audit log'],
      ['API keys', 'keys', 'API keys'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      await page.waitForLoadState('networkidle');
      await check(page, name);
    }
    // The audit log names the SSO user's actions (by subject hash, not by name).
    const audit = await s.call('GET', '/audit?action=inventory.reject');
    expect(audit.json.items[0].actor.keyId).toMatch(/^sso:[0-9a-f]{24}$/);

    // Phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Inbox' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Inbox' }).isVisible()).toBe(true);
    await check(page, 'inbox-phone');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in with API key' }).isVisible()).toBe(true);
    await check(page, 'signin');
    await context.close();
  }, 240_000);

  it('an editor finds drifted points, retries a parked delivery, and gets no CSV download', async () => {
    // Two reviewed points of a CRM source; then one's key keeps naming an email but its values stop validating.
    const crm = (path: string, matchedOn: 'key' | 'key+value') => ({
      source: 'crm',
      event: 'Contact Updated',
      path,
      category: 'email',
      dataCategory: 'user.contact.email',
      classification: 'yellow' as const,
      matchedOn,
      confidence: matchedOn === 'key' ? 0.6 : 0.9,
      matcher: 'email key',
      count: 2,
      firstSeen: new Date().toISOString(),
      lastSeen: new Date().toISOString(),
      example: '***@***.example',
      categories: [{ category: 'email', dataCategory: 'user.contact.email', classification: 'yellow' as const, count: 2, lastSeen: new Date().toISOString() }],
    });
    await upsertObservations(s.t.db, [crm('traits.email', 'key+value'), crm('traits.backup_email', 'key+value')]);
    const accepted = await s.call('POST', '/inventory/accept/bulk', { body: { filters: { source: 'crm' }, classification: 'yellow', dryRun: false } });
    expect(accepted.json.changed).toBe(2);
    await upsertObservations(s.t.db, [crm('traits.backup_email', 'key'), crm('traits.email', 'key+value')]);
    const outbox = new SqlOutbox(s.t.db);
    await outbox.put({
      channel: 'privacy-slack',
      alerts: [
        {
          id: 'a1',
          kind: 'new',
          source: 'crm',
          event: 'Contact Updated',
          path: 'traits.email',
          classification: 'yellow',
          category: { id: 'email', dataCategory: 'user.contact.email' },
          matcher: 'email key',
          matchedOn: 'key',
          confidence: 0.6,
          example: '***@***.example',
          detectedAt: new Date().toISOString(),
          inboxUrl: 'https://x.example/inventory/inbox',
        },
      ],
      lastError: 'slack channel "privacy-slack": HTTP 503',
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    });

    const { context, page } = await newContext();
    await ssoSignIn(page, 'eddie');
    await expect.poll(() => page.locator('.who').textContent()).toContain('editor');
    await page.getByRole('link', { name: 'Inventory' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Inventory' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: /Download CSV/ }).count()).toBe(0);
    await page.getByRole('textbox', { name: 'Source' }).fill('crm');
    await page.getByRole('button', { name: 'Filter' }).click();
    const points = page.locator('table', { has: page.locator('caption', { hasText: 'Data points in the inventory' }) }).locator('tbody tr');
    await expect.poll(() => points.count()).toBe(2);
    await page.getByLabel('Drift since review').selectOption('true');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => points.count()).toBe(1);
    expect(await row(page, 'traits.backup_email').locator('.badge.drift').count()).toBe(1);
    await page.getByRole('button', { name: /^Open traits\.backup_email / }).click();
    await expect.poll(() => page.locator('dd.drift').textContent()).toContain('its values stopped passing the validator');
    await check(page, 'inventory-drift');
    // The server keeps the CSV of everything for owners, whatever the page shows.
    expect(await page.evaluate(async () => (await fetch('/inventory/export.csv')).status)).toBe(403);

    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    const parked = page.locator('tbody tr', { hasText: 'privacy-slack' });
    await expect.poll(() => parked.textContent()).toContain('HTTP 503');
    expect(await parked.textContent()).toContain('traits.email');
    expect(await parked.textContent()).not.toContain('***@***.example');
    await check(page, 'alerts-outbox');
    await parked.getByRole('button', { name: /^Retry the delivery to privacy-slack/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('due now');
    const after = await s.call('GET', '/alerts/outbox?channel=privacy-slack');
    expect(Date.parse(after.json.items[0].nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    await context.close();
  }, 180_000);

  it('a viewer sees no editor button, and the server refuses the editor action anyway', async () => {
    const { context, page } = await newContext();
    await ssoSignIn(page, 'vera');
    await expect.poll(() => page.locator('.who').textContent()).toContain('viewer');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /Accept all shown/ }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr', { hasText: 'privacy-slack' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Retry the delivery/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Inbox', exact: true }).click();
    await page.getByRole('button', { name: /^Open traits\.password / }).click();
    expect(await page.getByRole('button', { name: 'Add to inventory' }).count()).toBe(0);
    const refused = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/portal/auth/session')).json()) as { csrfToken: string };
      const res = await fetch('/inventory/accept', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ source: 'web', event: 'Signed Up', path: 'traits.password' }),
      });
      return { status: res.status, body: (await res.json()) as { error: { message: string } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/needs role owner or editor; this key is viewer/);
    expect((await s.call('GET', '/inventory/inbox')).json.items.map((p: any) => p.path)).toContain('traits.password');
    await context.close();
  }, 120_000);

  it('a user whose groups map to no role is refused at sign-in', async () => {
    const { context, page } = await newContext();
    await ssoSignIn(page, 'nobody');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('no Segmentloom role');
    await context.close();
  }, 120_000);

  it('no raw personal value ever reached the browser', () => {
    expect(seen.length).toBeGreaterThan(20);
    const all = seen.join('\n');
    for (const raw of Object.values(RAW)) expect(all).not.toContain(raw);
  });
});
