import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  /** Named conditions; the process is ready when all are true. */
  (): Record<string, boolean>;
}

export interface ObservabilityServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus), `/healthz` (the process answers), `/readyz` (consumer joined and config
 * loaded). node:http is enough for three routes and keeps this off the event hot path.
 */
export async function startObservabilityServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  ready: ReadinessCheck;
}): Promise<ObservabilityServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
    } else if (path === '/healthz') {
      json(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const checks = options.ready();
      const ready = Object.values(checks).every(Boolean);
      json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
    } else {
      json(res, 404, { error: 'not found' });
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
