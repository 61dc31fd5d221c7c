import { upsertObservations } from '../../src/inventory/store.js';
import { maskValue } from '../../src/inventory/mask.js';
import type { Db } from '../../src/storage/db.js';

/** Raw sample values: the tests check that none of them ever reaches the browser. */
export const RAW = { email: 'jane.doe@shop.example', phone: '+14155550123', ip: '203.0.113.77', sku: '4155550199', password: 'hunter2-Secret!' };

const at = (min: number) => new Date(Date.UTC(2026, 11, 1, 12, min)).toISOString();

function obs(
  source: string,
  event: string,
  path: string,
  category: string | null,
  dataCategory: string | null,
  classification: 'red' | 'yellow' | 'green',
  raw: string | null,
  minute: number,
  destinations: string[],
) {
  return {
    source,
    event,
    path,
    category,
    dataCategory,
    classification,
    matchedOn: category ? ('key+value' as const) : null,
    confidence: category ? 0.9 : 0,
    matcher: category ? `${category} key and value` : null,
    count: 3,
    firstSeen: at(minute),
    lastSeen: at(minute),
    example: raw === null ? null : maskValue(raw),
    destinations,
  };
}

/** The observations an engine flushes for a small web shop (the same store path as the engines). */
export function shopObservations(minuteOffset = 0) {
  const m = (n: number) => n + minuteOffset;
  return [
    obs('web', 'Order Completed', 'properties.email', 'email', 'user.contact.email', 'yellow', RAW.email, m(1), ['warehouse']),
    obs('web', 'Signed Up', 'traits.phone', 'phone_number', 'user.contact.phone_number', 'yellow', RAW.phone, m(2), ['warehouse', 'ads']),
    obs('web', 'Signed Up', 'traits.password', 'password', 'user.authorization.password', 'red', RAW.password, m(3), []),
    obs('app', 'Login', 'context.ip', 'ip_address', 'user.device.ip_address', 'yellow', RAW.ip, m(4), ['warehouse', 'analytics']),
    obs('app', 'Product Viewed', 'properties.sku_code', 'phone_number', 'user.contact.phone_number', 'yellow', RAW.sku, m(5), ['warehouse']),
    obs('app', 'Product Viewed', 'properties.colour', null, null, 'green', 'blue', m(6), ['warehouse', 'analytics', 'ads']),
  ];
}

export async function seedShop(db: Db, minuteOffset = 0): Promise<void> {
  await upsertObservations(db, shopObservations(minuteOffset));
}

/** fetch with a cookie jar and the portal's CSRF header: what a browser does, without one. */
export class PortalClient {
  private cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (options.csrf !== false && method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const set = res.headers.getSetCookie();
    for (const c of set) if (c.startsWith('sl_portal=')) this.cookie = c.split(';')[0]!;
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json, setCookie: set };
  }

  async start() {
    const r = await this.call('GET', '/portal/auth/session');
    this.csrf = r.json.csrfToken;
    return r;
  }

  async signInWithKey(apiKey: string) {
    await this.start();
    const r = await this.call('POST', '/portal/auth/key', { apiKey });
    if (r.status === 200) this.csrf = r.json.csrfToken;
    return r;
  }
}
