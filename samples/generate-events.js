#!/usr/bin/env node
// Regenerates samples/events.ndjson: ~200 realistic Segment events (deterministic), with personal
// data where real streams hide it, consent preferences, and a few malformed lines.
//   node samples/generate-events.js > samples/events.ndjson
// All personal data here is synthetic: reserved example domains, 555 phone numbers, test card
// numbers, documentation IP ranges.

let seed = 20240611;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(rand() * list.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Radia', 'Edsger'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Perlman', 'Dijkstra'];
const CARDS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117'];
const PAGES = ['/', '/pricing', '/docs/getting-started', '/checkout', '/account/settings', '/blog/privacy-by-design'];
const PRODUCTS = [
  { product_id: 'sku-1001', sku: 'TSHIRT-BLK-M', name: 'Black T-Shirt', price: 19.99, category: 'apparel' },
  { product_id: 'sku-2040', sku: 'MUG-WHT', name: 'White Mug', price: 9.5, category: 'kitchen' },
  { product_id: 'sku-3300', sku: 'BOOK-PRIV', name: 'Privacy Engineering', price: 42, category: 'books' },
];

const users = Array.from({ length: 24 }, (_, i) => {
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i * 7) % LAST.length];
  return {
    userId: `user_${1000 + i}`,
    anonymousId: `anon-${(0x1a2b3c + i * 7919).toString(16)}-4e1f-9a7c-${(100000 + i).toString(16)}`,
    first,
    last,
    email: `${first}.${last}${i}@example.com`.toLowerCase(),
    phone: `+1 415 555 ${String(100 + i).padStart(4, '0')}`,
    ip: i % 3 === 0 ? `2001:db8::${(i + 1).toString(16)}` : `203.0.113.${10 + i}`,
    consent: i % 4 === 0 ? { Advertising: false, Analytics: true } : i % 5 === 0 ? { Advertising: true, Analytics: false } : { Advertising: true, Analytics: true },
    gpc: i % 9 === 0,
  };
});

let clock = Date.parse('2024-06-11T09:00:00Z');
let n = 0;
function base(user, type, extra = {}) {
  clock += int(500, 90_000);
  n++;
  const context = {
    library: { name: pick(['analytics.js', 'analytics-ios', 'analytics-android']), version: '4.1.0' },
    ip: user.ip,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36',
    locale: pick(['en-US', 'de-DE', 'fr-FR']),
    timezone: pick(['America/Los_Angeles', 'Europe/Berlin', 'Europe/Paris']),
    consent: { categoryPreferences: user.consent },
  };
  if (user.gpc) context.gpc = true;
  return {
    type,
    messageId: `msg-${String(n).padStart(5, '0')}`,
    userId: user.userId,
    anonymousId: user.anonymousId,
    timestamp: new Date(clock).toISOString(),
    context,
    ...extra,
  };
}

const lines = [];
const emit = (event) => lines.push(JSON.stringify(event));

for (let i = 0; i < 190; i++) {
  const user = users[i % users.length];
  const roll = i % 19;
  if (roll === 0) {
    emit(base(user, 'identify', {
      traits: {
        email: user.email,
        firstName: user.first,
        lastName: user.last,
        phone: user.phone,
        birthday: `19${int(60, 99)}-0${int(1, 9)}-1${int(0, 9)}`,
        address: { street: `${int(1, 999)} Market Street`, city: 'San Francisco', postalCode: '94103', country: 'US' },
        plan: pick(['free', 'pro', 'enterprise']),
        logins: int(1, 400),
      },
    }));
  } else if (roll === 1) {
    emit(base(user, 'page', { name: 'Checkout', properties: { path: '/checkout', url: `https://shop.example.com/checkout?email=${encodeURIComponent(user.email)}`, referrer: 'https://www.example.org/' } }));
  } else if (roll <= 5) {
    emit(base(user, 'page', { name: pick(['Home', 'Pricing', 'Docs', 'Blog']), properties: { path: pick(PAGES), title: 'Segmentloom', referrer: pick(['', 'https://news.example.net/']) } }));
  } else if (roll === 6) {
    emit(base(user, 'screen', { name: 'Profile', properties: { section: 'contact', contact: { mobile: user.phone, preferredEmail: user.email } } }));
  } else if (roll === 7) {
    const product = pick(PRODUCTS);
    emit(base(user, 'track', {
      event: 'Order Completed',
      properties: {
        order_id: `ord-${10000 + i}`,
        total: product.price * 2,
        currency: 'USD',
        products: [{ ...product, quantity: 2 }],
        // Card numbers where no one expects them: a free-text note and a nested payment object.
        payment: { method: 'card', card: { number: pick(CARDS), exp: '12/29', holder: `${user.first} ${user.last}` } },
        shipping: { name: `${user.first} ${user.last}`, street: `${int(1, 999)} Mission Street`, zip: '94105' },
      },
    }));
  } else if (roll === 8) {
    emit(base(user, 'track', { event: 'Support Ticket Created', properties: { subject: 'Refund', notes: `please refund card ${pick(CARDS)} asap`, priority: 'high', username: user.email } }));
  } else if (roll === 9) {
    emit(base(user, 'track', { event: 'Signed Up', properties: { plan: 'free', method: 'email', password: `Hunter2-${i}!`, referral_code: `REF${i}` } }));
  } else if (roll === 10) {
    emit(base(user, 'group', { groupId: `org_${i % 6}`, traits: { name: pick(['Acme Inc', 'Globex', 'Initech']), industry: 'software', employees: int(5, 5000), billing_email: `billing@${pick(['acme', 'globex', 'initech'])}.example.com` } }));
  } else if (roll === 11) {
    emit(base(user, 'alias', { previousId: user.anonymousId }));
  } else if (roll === 12) {
    emit(base(user, 'track', { event: 'Device Registered', properties: { device: { mac: `3c:22:fb:${int(10, 99)}:${int(10, 99)}:0${int(1, 9)}`, advertisingId: '6d92078a-8246-4ba4-ae5b-76104861e7dc', model: 'Pixel 8' }, location: { latitude: 37.7749, longitude: -122.4194 } } }));
  } else if (roll === 13) {
    emit(base(user, 'track', { event: 'Health Survey Answered', properties: { survey: 'wellbeing', diagnosis: 'asthma', medication: 'albuterol', score: int(1, 10) } }));
  } else if (roll === 14) {
    emit(base(user, 'track', { event: 'Experiment Viewed', properties: { experiment_id: `exp-${i % 5}`, variant: pick(['A', 'B']), internal_test: i % 2 === 0 } }));
  } else {
    emit(base(user, 'track', { event: pick(['Product Viewed', 'Product Added', 'Search Performed']), properties: { ...pick(PRODUCTS), query: pick(['mug', 'shirt', 'privacy book', 'call me at +1 415 555 0199']), tags: ['summer', 'sale'] } }));
  }
}

// A suppressed subject (listed in config/embedded.yaml) whose events must go nowhere.
emit(base({ ...users[0], userId: 'user_suppressed_42', anonymousId: 'anon-suppressed-42' }, 'track', { event: 'Product Viewed', properties: { email: 'forget.me@example.com' } }));
emit(base({ ...users[1], userId: null, anonymousId: 'anon-suppressed-42' }, 'page', { name: 'Home', properties: { path: '/' } }));

// Malformed input: every line below must end up in the dead-letter file, none may stop the run.
lines.push('{"type":"track","event":"Order Completed","properties":{"email":"trunc@example.com"'); // truncated JSON
lines.push('["type","track"]'); // not an object
lines.push('"just a string"'); // not an object
lines.push('{"event":"No Type","properties":{}}'); // no type
lines.push('{"type":"track","properties":{"note":"a track call without an event name"}}'); // invalid track
lines.push(JSON.stringify({ type: 'track', event: 'Deep', properties: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) })); // too deep
lines.push('{"type":"identify","traits":{"email":"bad@example.com",}}'); // trailing comma

process.stdout.write(`${lines.join('\n')}\n`);
