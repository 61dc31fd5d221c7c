import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DataPointSignal } from '../../src/inventory/types.js';
import type { Classification } from '../../src/detect/types.js';

export interface Received {
  n: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with request n (1-based): answer with a status, or never answer. */
export type Behaviour = (n: number, req: Received) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  url: string;
  requests: Received[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  setBehaviour(b: Behaviour): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 standing in for Slack, PagerDuty or a webhook consumer; with
 * `tls` (PEM certificate and key files) an HTTPS one.
 */
export async function startReceiver(
  behaviour: Behaviour = () => ({ status: 200, body: 'ok' }),
  options: { tls?: { certFile: string; keyFile: string }; port?: number } = {},
): Promise<Receiver> {
  const requests: Received[] = [];
  const hung: ServerResponse[] = [];
  let current = behaviour;
  const waiters: Array<() => void> = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        n: requests.length + 1,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(r);
      waiters.splice(0).forEach((w) => w());
      const out = current(r.n, r);
      if (out === 'hang') {
        hung.push(res);
        return;
      }
      res.writeHead(out.status, { 'content-type': 'text/plain', ...out.headers });
      res.end(out.body ?? '');
    });
  };
  const { tls } = options;
  const server = tls ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/hook`,
    requests,
    setBehaviour(b) {
      current = b;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${requests.length} requests, expected ${count}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let seq = 0;

export function signal(
  over: {
    kind?: 'new' | 'drift';
    classification?: Classification;
    path?: string;
    event?: string;
    source?: string;
    category?: string | null;
    example?: string | null;
  } = {},
): DataPointSignal {
  seq++;
  const classification = over.classification ?? 'red';
  const s: DataPointSignal = {
    kind: over.kind ?? 'new',
    detectedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, seq)).toISOString(),
    point: {
      source: over.source ?? 'web',
      event: over.event ?? 'Order Completed',
      path: over.path ?? `properties.customer_${seq}.email`,
      category: over.category === undefined ? 'email' : over.category,
      dataCategory: over.category === null ? null : 'user.contact.email',
      classification,
      matchedOn: 'key+value',
      confidence: 0.97,
      matcher: 'key synonym "email"',
      count: 3,
      firstSeen: '2025-01-01T00:00:00.000Z',
      lastSeen: '2025-01-01T00:00:00.000Z',
      example: over.example === undefined ? 'j***@e***.com' : over.example,
    },
  };
  if (s.kind === 'drift') s.previous = { category: null, classification: 'green' };
  return s;
}

/** Full channel config as the schema would produce it, with fast test timings. */
export function channelDefaults() {
  return {
    routes: { classifications: ['red', 'yellow'] as Classification[], kinds: ['new', 'drift'] as Array<'new' | 'drift'> },
    digest: { windowMs: 50, maxItems: 50 },
    rateLimit: { perMinute: 30 },
    retry: { attempts: 3, baseMs: 10, maxMs: 100 },
    timeoutMs: 2000,
  };
}

export const BASE_URL = 'https://segmentloom.example.com';
