import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import type { EngineConfig } from '../../config/load.js';
import { handshake, TlsHandshakeError, tlsOptions } from '../../pipeline/kafka/tls.js';

/**
 * What `segmentloom doctor` found at one endpoint:
 * - `tls`: encrypted, certificate verified;
 * - `unverified`: encrypted, but the certificate is not checked (anyone in between can read it);
 * - `plain`: reachable in plain text;
 * - `failed`: unreachable, or its TLS handshake was refused;
 * - `local`: nothing crosses a network (embedded store).
 */
export type EndpointStatus = 'tls' | 'unverified' | 'plain' | 'failed' | 'local';

export interface EndpointReport {
  kind: 'kafka' | 'postgres' | 'alerts' | 'registry' | 'api';
  /** What it is, e.g. `alert channel "hook"`. */
  name: string;
  /** Where, never with credentials: `host:port[/database]` or a URL without user info. */
  endpoint: string;
  status: EndpointStatus;
  /** Negotiated TLS version, e.g. `TLSv1.3`. */
  protocol?: string;
  detail: string;
}

export async function probeConfig(
  config: EngineConfig,
  options: { timeoutMs: number; apiUrl?: string | undefined; apiCaFile?: string | undefined },
): Promise<EndpointReport[]> {
  const probes: Array<Promise<EndpointReport>> = [];
  if (config.kafka) {
    const kafka = config.kafka;
    const sasl = kafka.sasl ? `, SASL ${kafka.sasl.mechanism} user ${kafka.sasl.username}` : '';
    for (const broker of kafka.brokers) probes.push(probeKafkaBroker(broker, kafka.ssl, sasl, options.timeoutMs));
  }
  if (config.storage) probes.push(probePostgres(config.storage.databaseUrl, options.timeoutMs));
  for (const channel of config.alerts?.channels ?? []) {
    probes.push(probeUrl('alerts', `alert channel "${channel.name}" (${channel.type})`, channel.url, channel.caFile, options.timeoutMs));
  }
  if (config.decoding.registryUrl) probes.push(probeUrl('registry', 'schema registry', config.decoding.registryUrl, undefined, options.timeoutMs));
  if (options.apiUrl) probes.push(probeUrl('api', 'control-plane API', options.apiUrl, options.apiCaFile, options.timeoutMs));
  return Promise.all(probes);
}

async function probeKafkaBroker(broker: string, ssl: NonNullable<EngineConfig['kafka']>['ssl'], sasl: string, timeoutMs: number): Promise<EndpointReport> {
  const base = { kind: 'kafka' as const, name: 'Kafka broker', endpoint: broker };
  const options = tlsOptions(ssl);
  if (options === undefined) {
    const reachable = await tcpAnswers(broker, timeoutMs);
    return reachable.ok
      ? { ...base, status: 'plain', detail: `PLAIN TEXT: events and credentials cross the network unencrypted (set kafka.ssl)${sasl}` }
      : { ...base, status: 'failed', detail: `unreachable: ${reachable.reason}` };
  }
  const unverified = options.rejectUnauthorized === false;
  try {
    const hs = await handshake(broker, options, timeoutMs);
    return unverified
      ? {
          ...base,
          status: 'unverified',
          protocol: hs.protocol,
          detail: `${hs.protocol} (${hs.cipher}), certificate NOT verified (kafka.ssl.rejectUnauthorized is false)${sasl}`,
        }
      : { ...base, status: 'tls', protocol: hs.protocol, detail: `${hs.protocol} (${hs.cipher}), certificate verified${sasl}` };
  } catch (err) {
    return { ...base, status: 'failed', detail: failure(err) };
  }
}

async function probePostgres(url: string | undefined, timeoutMs: number): Promise<EndpointReport> {
  if (url === undefined)
    return { kind: 'postgres', name: 'store', endpoint: 'embedded PGlite', status: 'local', detail: 'embedded database: no network connection' };
  const endpoint = pgEndpoint(url);
  const base = { kind: 'postgres' as const, name: 'PostgreSQL store', endpoint };
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A failed TLS negotiation can surface as an 'error' event too; the connect() rejection reports it.
  client.on('error', () => {});
  try {
    await client.connect();
    const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream;
    if (stream instanceof TLSSocket) {
      const protocol = stream.getProtocol() ?? 'unknown';
      const cipher = stream.getCipher()?.name ?? 'unknown';
      return stream.authorized
        ? { ...base, status: 'tls', protocol, detail: `${protocol} (${cipher}), certificate verified` }
        : { ...base, status: 'unverified', protocol, detail: `${protocol} (${cipher}), certificate NOT verified (use sslmode=verify-full and sslrootcert)` };
    }
    return { ...base, status: 'plain', detail: 'PLAIN TEXT: stored events and queries cross the network unencrypted (add sslmode=verify-full to the URL)' };
  } catch (err) {
    return { ...base, status: 'failed', detail: failure(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeUrl(kind: EndpointReport['kind'], name: string, url: string, caFile: string | undefined, timeoutMs: number): Promise<EndpointReport> {
  const parsed = new URL(url);
  const endpoint = `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  const https = parsed.protocol === 'https:';
  const hostPort = `${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${parsed.port || (https ? 443 : 80)}`;
  const base = { kind, name, endpoint };
  if (!https) {
    const reachable = await tcpAnswers(hostPort, timeoutMs);
    return reachable.ok
      ? { ...base, status: 'plain', detail: 'PLAIN TEXT (http://): what is sent crosses the network unencrypted' }
      : { ...base, status: 'failed', detail: `PLAIN TEXT (http://) and unreachable: ${reachable.reason}` };
  }
  try {
    const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
    const hs = await handshake(hostPort, { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(ca ? { ca } : {}) }, timeoutMs);
    return { ...base, status: 'tls', protocol: hs.protocol, detail: `${hs.protocol} (${hs.cipher}), certificate verified${caFile ? ' against caFile' : ''}` };
  } catch (err) {
    return { ...base, status: 'failed', detail: failure(err) };
  }
}

function failure(err: unknown): string {
  if (err instanceof TlsHandshakeError) return `TLS refused: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  return `unreachable: ${e?.message ?? String(err)}`;
}

/** host:port/database of a connection URL: never its user or password. */
function pgEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function tcpAnswers(hostPort: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(hostPort.slice(at + 1));
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (result: { ok: true } | { ok: false; reason: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer within ${timeoutMs}ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, reason: err.code ?? err.message }));
  });
}
