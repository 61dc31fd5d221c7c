import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from '../api/context.js';
import type { KafkaConfig } from '../config/load.js';
import { PlatformaticKafkaSink } from '../pipeline/kafka/platformatic-sink.js';
import type { EventSink } from '../events/index.js';
import { buildIngest, type Ingest, type IngestOptions } from './app.js';
import type { IngestConfig } from '../config/ingest-schema.js';
import type { Db } from '../storage/db.js';
import { SharedMessageIds } from './shared-dedup.js';

export interface RunningIngest extends Ingest {
  port: number;
  /** e.g. `https://127.0.0.1:8088` */
  url: string;
  /** Stops accepting; requests in flight finish (their produce included). */
  close(): Promise<void>;
}

/** The certificate and key of `ingest.tls`, read once; undefined for plain HTTP. */
export function ingestTls(config: IngestConfig): TlsOptions | undefined {
  return config.tls ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } : undefined;
}

/** Builds the ingest and listens on `ingest.port`/`host` (or the options' own); HTTPS, TLS 1.2+ only, with a certificate. */
export async function startIngest(
  options: Omit<IngestOptions, 'tls'> & { tls?: TlsOptions | undefined; port?: number; host?: string },
): Promise<RunningIngest> {
  const tls = options.tls ?? ingestTls(options.config);
  const ingest = buildIngest({ ...options, tls });
  const host = options.host ?? options.config.host;
  await ingest.app.listen({ port: options.port ?? options.config.port, host });
  const port = (ingest.app.server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { ...ingest, port, url: `${tls ? 'https' : 'http'}://${shown}:${port}`, close: () => ingest.app.close() };
}

/**
 * The ingest's producer: the pipeline's own (idempotent, acks=all, murmur2 keys like Java
 * clients), connected — so a broker that cannot be reached fails the start, not the first event.
 */
export async function kafkaIngestSink(kafka: KafkaConfig): Promise<EventSink> {
  const sink = new PlatformaticKafkaSink(kafka);
  try {
    await sink.connect();
  } catch (err) {
    await sink.close().catch(() => {});
    throw err;
  }
  return sink;
}

/**
 * The messageId window shared through the store, for this config: the same window as each
 * process's own; a claim is taken over once it is well past the produce timeout (its process died).
 */
export function sharedMessageIds(db: Db, config: IngestConfig, now?: () => number): SharedMessageIds {
  return new SharedMessageIds(db, {
    windowMs: config.dedup.windowSeconds * 1000,
    leaseMs: Math.max(60_000, 4 * config.produce.timeoutMs),
    ...(now ? { now } : {}),
  });
}
