import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createApi } from './app.js';
import type { ApiContext, ApiOptions } from './context.js';

export interface RunningApi {
  app: FastifyInstance;
  ctx: ApiContext;
  port: number;
  /** e.g. `https://127.0.0.1:8443` */
  url: string;
  close(): Promise<void>;
}

/** Builds the API and listens; HTTPS (TLS 1.2 or newer only) when `tls` is given. */
export async function startApi(options: ApiOptions & { port?: number; host?: string }): Promise<RunningApi> {
  const { app, ctx } = await createApi(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { app, ctx, port, url: `${options.tls ? 'https' : 'http'}://${shown}:${port}`, close: () => app.close() };
}
