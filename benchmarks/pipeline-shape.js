// The event and engine config shared by the pipeline benchmarks (benchmarks/pipeline.js: no
// storage; benchmarks/production.js: the production shape with PostgreSQL, inventory and alerts).
import { randomUUID } from 'node:crypto';

/** A ~1 KB track event with ~28 leaves: contact data, a secret, a card, consent, products. @param {number} i */
export function event(i) {
  const advertising = i % 3 !== 0;
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: `bench-${i}-${randomUUID()}`,
    userId: `user_${i % 5000}`,
    anonymousId: `anon-${(i * 7919) % 100000}-4e1f-9a7c`,
    timestamp: new Date(1718096400000 + i * 1000).toISOString(),
    context: {
      ip: `203.0.113.${i % 250}`,
      library: { name: 'analytics.js', version: '4.1.0' },
      locale: 'en-US',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36',
      page: { path: '/checkout', url: 'https://shop.example.com/checkout', title: 'Checkout' },
      consent: { categoryPreferences: { Advertising: advertising, Analytics: i % 4 !== 0 } },
    },
    properties: {
      order_id: `ord-${i}`,
      total: 42.5 + (i % 100),
      currency: 'USD',
      email: `customer${i % 5000}@example.com`,
      phone: `+1 415 555 ${String(i % 10000).padStart(4, '0')}`,
      password: `Secret-${i}!`,
      payment: { method: 'card', card: { number: '4111111111111111', exp: '12/29' } },
      shipping: { city: 'San Francisco', country: 'US', method: 'ground' },
      products: [
        { product_id: 'sku-1001', name: 'Black T-Shirt', price: 19.99, quantity: 1 },
        { product_id: 'sku-2040', name: 'White Mug', price: 9.5, quantity: 2 },
      ],
      coupon: i % 7 === 0 ? 'SUMMER' : null,
    },
  };
}

/**
 * The engine config of the pipeline benchmarks; `extra` adds sections (storage, inventory, alerts).
 * @param {string} b brokers
 * @param {{ input: string; dlq: string; [name: string]: string }} t topics
 * @param {string} groupId
 * @param {{ consumer?: string }} [options]
 */
export function configYaml(b, t, groupId, extra = '', options = {}) {
  return `
source: bench
kafka:
  brokers: "${b}"
  groupId: ${groupId}
  topics: [${t.input}]
  fromBeginning: true
  compression: ${process.env.BENCH_COMPRESSION ?? 'none'}
  consumer: ${options.consumer ?? process.env.BENCH_CONSUMER ?? 'platformatic'}
deadLetter: { topic: ${t.dlq} }
batch:
${process.env.BENCH_PARTITION_BYTES ? `  maxBytesPerPartition: ${process.env.BENCH_PARTITION_BYTES}\n` : ''}  maxWaitMs: 50
${process.env.BENCH_CONCURRENCY ? `  partitionsConsumedConcurrently: ${process.env.BENCH_CONCURRENCY}\n` : ''}  workers: ${process.env.BENCH_WORKERS ?? 'auto'}
  maxMessagesPerRequest: 10000
reload: { enabled: false }
logging: { level: warn }
hashing:
  current: 1
  keys: [{ version: 1, secret: "benchmark-key-0123456789abcdef" }]
policies:
  - name: block-secrets
    match: { categories: [password, credit_card_number, us_ssn, auth_token] }
    action: block
  - name: hash-contact-for-ads
    destinations: [ads]
    match: { categories: [email, phone_number] }
    action: hash
  - name: no-ip-for-ads
    destinations: [ads]
    match: { categories: [ip_address] }
    action: block
destinations:
  - { name: warehouse, topic: ${t.warehouse} }
  - name: analytics
    topic: ${t.analytics}
    consent: { categories: [Analytics] }
    allow: { classifications: [green] }
  - name: ads
    topic: ${t.ads}
    consent: { categories: [Advertising], sale: true }
${extra}`;
}
