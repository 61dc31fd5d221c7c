// Deterministic generator of realistic Segment events (~1 KB, 20–40 leaves) for benchmarks.
// Plain JS so it runs without a build step; seeded so every run measures the same events.

/**
 * @typedef {object} Random
 * @property {() => number} next
 * @property {(min: number, max: number) => number} int
 * @property {<T>(list: readonly T[]) => T} pick
 * @property {(p: number) => boolean} chance
 */

/** @returns {Random} */
export function createRandom(seed = 42) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /**
   * @template T
   * @param {readonly T[]} list non-empty
   * @returns {T}
   */
  function pick(list) {
    return /** @type {T} */ (list[Math.floor(next() * list.length)]);
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick,
    chance: (p) => next() < p,
  };
}

const FIRST = ['Jane', 'John', 'Amira', 'Li', 'Carlos', 'Priya', 'Olga', 'Kwame', 'Sofia', 'Hiro'];
const LAST = ['Doe', 'Smith', 'Haddad', 'Wei', 'García', 'Patel', 'Ivanova', 'Mensah', 'Rossi', 'Tanaka'];
const DOMAINS = ['example.com', 'gmail.com', 'outlook.com', 'company.io', 'mail.de'];
const EVENTS = ['Product Viewed', 'Product Added', 'Order Completed', 'Signed Up', 'Checkout Started', 'Article Read', 'Video Played', 'Search Performed'];
const PLANS = ['free', 'pro', 'enterprise', 'team'];
const CARDS = ['4111111111111111', '5555555555554444', '378282246310005'];

/** @param {Random} r */
function uuid(r) {
  const hex = () => r.int(0, 0xffff).toString(16).padStart(4, '0');
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
}

/** @param {Random} r */
function context(r) {
  return {
    library: { name: 'analytics.js', version: `5.${r.int(0, 9)}.${r.int(0, 20)}` },
    ip: `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    locale: r.pick(['en-US', 'de-DE', 'fr-FR', 'ja-JP']),
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    page: { path: `/p/${r.int(1, 500)}`, referrer: 'https://www.google.com/', title: 'Segmentloom Store', url: `https://shop.example.com/p/${r.int(1, 500)}` },
    device: { id: uuid(r), type: r.pick(['ios', 'android', 'web']), model: r.pick(['iPhone15,2', 'Pixel 8', 'SM-S911B']), advertisingId: uuid(r) },
    os: { name: r.pick(['iOS', 'Android', 'macOS']), version: `${r.int(10, 17)}.${r.int(0, 5)}` },
    timezone: r.pick(['Europe/Paris', 'America/New_York', 'Asia/Tokyo']),
    campaign: { source: 'newsletter', medium: 'email', name: `spring_${r.int(1, 9)}` },
    consent: { categoryPreferences: { Advertising: r.chance(0.5), Analytics: true } },
  };
}

/**
 * @param {Random} r
 * @param {string} event
 * @param {string} first
 * @param {string} _last
 * @param {string} email
 */
function properties(r, event, first, _last, email) {
  /** @type {Record<string, unknown>} */
  const props = { plan: r.pick(PLANS), currency: 'USD', revenue: r.int(100, 99999) / 100 };
  switch (event) {
    case 'Order Completed':
      props.order_id = `ord_${r.int(100000, 999999)}`;
      props.products = Array.from({ length: r.int(1, 3) }, () => ({
        sku: `SKU-${r.int(1000, 9999)}`,
        name: r.pick(['Blue Shirt', 'Red Mug', 'Desk Lamp']),
        price: r.int(100, 9999) / 100,
        quantity: r.int(1, 4),
      }));
      props.shipping_address = { street: `${r.int(1, 999)} Main St`, city: 'Springfield', zip: `${r.int(10000, 99999)}` };
      if (r.chance(0.1)) props.ref = r.pick(CARDS);
      break;
    case 'Signed Up':
      props.email = email;
      props.first_name = first;
      props.email_subscribed = r.chance(0.5);
      props.phone = `+1 415 555 ${r.int(1000, 9999)}`;
      break;
    case 'Search Performed':
      props.query = r.pick(['running shoes', 'gift for mom', `contact me at ${email}`]);
      props.results = r.int(0, 200);
      break;
    default:
      props.product_id = `${r.int(1000000000, 9999999999)}`;
      props.page_name = r.pick(['Home', 'Catalog', 'Cart']);
      props.sdk_version = '10.0.0.1';
  }
  // Custom fields with varied names: many distinct paths, as real tracking plans have.
  props[`custom_field_${r.int(1, 400)}`] = r.pick(['alpha', 'beta', 42, true, 'gamma delta']);
  if (r.chance(0.2)) props.username = r.chance(0.5) ? email : `${first.toLowerCase()}${r.int(1, 99)}`;
  if (r.chance(0.2)) props.comment = r.pick(['great service', `call me on +44 20 7946 ${r.int(1000, 9999)}`, 'ship faster please']);
  return props;
}

/** @param {Random} r */
export function generateEvent(r) {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const email = `${first.toLowerCase()}.${last.toLowerCase()}${r.int(1, 999)}@${r.pick(DOMAINS)}`;
  const base = {
    messageId: uuid(r),
    anonymousId: uuid(r),
    userId: `user_${r.int(1, 50000)}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + r.int(0, 3e10)).toISOString(),
    context: context(r),
  };
  const kind = r.next();
  if (kind < 0.12) {
    return {
      ...base,
      type: 'identify',
      traits: {
        email,
        first_name: first,
        last_name: last,
        phone: `+1 415 555 ${r.int(1000, 9999)}`,
        plan: r.pick(PLANS),
        created_at: base.timestamp,
        address: { city: 'Springfield', postal_code: `${r.int(10000, 99999)}` },
      },
    };
  }
  if (kind < 0.25)
    return {
      ...base,
      type: 'page',
      name: r.pick(['Home', 'Pricing', 'Docs']),
      properties: { path: '/pricing', title: 'Pricing', url: 'https://example.com/pricing' },
    };
  const event = r.pick(EVENTS);
  return { ...base, type: 'track', event, properties: properties(r, event, first, last, email) };
}

/** `count` events as JSON lines. @param {number} count @returns {string[]} */
export function generateCorpus(count, seed = 42) {
  const r = createRandom(seed);
  /** @type {string[]} */
  const lines = new Array(count);
  for (let i = 0; i < count; i++) lines[i] = JSON.stringify(generateEvent(r));
  return lines;
}

/** @param {unknown} value @returns {number} */
export function countLeaves(value) {
  if (value === null || typeof value !== 'object') return 1;
  let n = 0;
  for (const key in value) n += countLeaves(/** @type {Record<string, unknown>} */ (value)[key]);
  return n;
}
