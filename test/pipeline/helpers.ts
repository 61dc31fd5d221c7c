// In-memory seams and config helpers for pipeline tests (no Kafka).
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngineConfig, type EngineConfig } from '../../src/config/load.js';
import type { EventSink, EventSource, InputMessage, OutputMessage, SourceBatch } from '../../src/events/messages.js';

export const HASH_KEY = 'pipeline-test-key-0123456789';

/** The pseudonym the policy engine must produce for `value` under key version 1. */
export function expectedHash(value: string | number | boolean, secret = HASH_KEY, version = 1): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `hmac:v${version}:${createHmac('sha256', secret).update(text, 'utf8').digest('base64url')}`;
}

/** Policy sections used across tests: block secrets, hash contact data for `ads`, consent, routing. */
export function policyYaml(topics: { warehouse: string; analytics: string; ads: string }): string {
  return `
hashing:
  current: 1
  keys: [{ version: 1, secret: "${HASH_KEY}" }]
policies:
  - name: block-secrets
    match: { categories: [password, credit_card_number, us_ssn] }
    action: block
  - name: hash-contact-for-ads
    destinations: [ads]
    match: { categories: [email, phone_number] }
    action: hash
  - name: drop-internal
    match: { paths: [properties.internal_test] }
    action: drop_event
destinations:
  - { name: warehouse, topic: ${topics.warehouse} }
  - name: analytics
    topic: ${topics.analytics}
    consent: { categories: [Analytics] }
    allow: { classifications: [green] }
  - name: ads
    topic: ${topics.ads}
    consent: { categories: [Advertising], sale: true }
`;
}

/** The plain fail-closed policy: block red at the source, hash yellow for analytics, a mailer approved for email and green only. */
export const FAIL_CLOSED_POLICY = `
hashing:
  current: 1
  keys: [{ version: 1, secret: "${HASH_KEY}" }]
policies:
  - { name: block-red, match: { classifications: [red] }, action: block }
  - { name: hash-yellow, destinations: [analytics], match: { classifications: [yellow] }, action: hash }
destinations:
  - { name: warehouse, topic: wh }
  - { name: analytics, topic: an }
  - { name: mailer, topic: mail, allow: { categories: [email], classifications: [green] } }
`;

export function tempDir(prefix = 'sl-pipeline-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function writeConfig(text: string, dir = tempDir(), name = 'engine.yaml'): Promise<{ file: string; dir: string; config: EngineConfig }> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, dir, config: await loadEngineConfig(file, {}) };
}

export function message(value: unknown, extra: Partial<InputMessage> = {}): InputMessage {
  return {
    topic: 'in',
    partition: 0,
    offset: '0',
    key: null,
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    timestamp: '0',
    ...extra,
  };
}

export interface MemoryBatch extends SourceBatch {
  committed: boolean;
  stale: boolean;
  redelivered: boolean;
}

/**
 * An in-memory batch. `pipelined` gives it `redeliver` (as a Kafka batch has), which lets the loop
 * send and commit it in the background; `log` records commits and redeliveries in order.
 */
export function memoryBatch(messages: InputMessage[], options: { pipelined?: boolean; partition?: number; name?: string; log?: string[] } = {}): MemoryBatch {
  const name = options.name ?? 'batch';
  const batch: MemoryBatch = {
    messages,
    committed: false,
    stale: false,
    redelivered: false,
    commit: async () => {
      batch.committed = true;
      options.log?.push(`commit ${name}`);
    },
    heartbeat: async () => {},
    isStale: () => batch.stale,
    topic: 'in',
    partition: options.partition ?? 0,
  };
  if (options.pipelined) {
    batch.redeliver = () => {
      batch.redelivered = true;
      options.log?.push(`redeliver ${name}`);
    };
  }
  return batch;
}

/** Records what is sent; can be told to fail or to hold sends until released. */
export class MemorySink implements EventSink {
  readonly sent = new Map<string, OutputMessage[]>();
  readonly log: string[] = [];
  fail: Error | null = null;
  closed = false;
  private held: { promise: Promise<void>; release: () => void } | null = null;

  /** Sends wait until `release()`. */
  hold(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = null;
  }

  async send(target: string, messages: OutputMessage[]): Promise<void> {
    if (this.held) await this.held.promise;
    if (this.fail) throw this.fail;
    this.log.push(`send ${target} ${messages.length}`);
    const list = this.sent.get(target) ?? [];
    list.push(...messages);
    this.sent.set(target, list);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  json(target: string): Record<string, any>[] {
    return (this.sent.get(target) ?? []).map((m) => JSON.parse(String(m.value)));
  }
}

export class MemorySource implements EventSource {
  handler: ((batch: SourceBatch) => Promise<void>) | null = null;
  stopped = false;
  readonly log: string[] = [];
  async start(onBatch: (batch: SourceBatch) => Promise<void>): Promise<void> {
    this.handler = onBatch;
  }
  async pause(): Promise<void> {
    this.log.push('pause');
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.log.push('stop');
  }
}

/** A Segment track event with personal data in the usual and unusual places. */
export function sampleEvent(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: 'm-1',
    userId: 'user-1',
    anonymousId: 'anon-1',
    context: { ip: '203.0.113.7', consent: { categoryPreferences: { Advertising: true, Analytics: true } } },
    properties: {
      email: 'ada@example.com',
      phone: '+1 415 555 0100',
      password: 'hunter2-secret',
      payment: { card: { number: '4111111111111111' } },
      total: 42,
      currency: 'USD',
    },
    ...overrides,
  };
}
