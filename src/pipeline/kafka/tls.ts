import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { KafkaConfig } from '../../config/load.js';
import { SegmentloomError } from '../../core/errors.js';

/** TLS options for a Kafka connection from the engine config (PEM files read once, at start). */
export function tlsOptions(ssl: KafkaConfig['ssl']): ConnectionOptions | undefined {
  if (ssl === false) return undefined;
  if (ssl === true) return {};
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.caFile ? { ca: [readFileSync(ssl.caFile, 'utf8')] } : {}),
    ...(ssl.certFile ? { cert: readFileSync(ssl.certFile, 'utf8') } : {}),
    ...(ssl.keyFile ? { key: readFileSync(ssl.keyFile, 'utf8') } : {}),
    ...(ssl.passphrase ? { passphrase: ssl.passphrase } : {}),
    ...(ssl.servername ? { servername: ssl.servername } : {}),
  };
}

export interface TlsHandshake {
  /** 'host:port' */
  endpoint: string;
  /** Negotiated protocol, e.g. 'TLSv1.3'. */
  protocol: string;
  cipher: string;
}

/** A TLS handshake that failed on the certificate or protocol (not a broker that is down). */
export class TlsHandshakeError extends SegmentloomError {
  constructor(
    readonly endpoint: string,
    /** OpenSSL's or Node's code for the refusal (CERT_HAS_EXPIRED …). */
    readonly tlsCode: string | undefined,
    reason: string,
  ) {
    super('SLOOM_ERR_TLS_HANDSHAKE', `TLS handshake with ${endpoint} failed: ${reason}${tlsCode ? ` (${tlsCode})` : ''}`);
    this.name = 'TlsHandshakeError';
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/**
 * One TLS handshake with `host:port` under the same options the client will use, then closes.
 * Resolves with the negotiated protocol; rejects with a TlsHandshakeError naming the endpoint
 * when the certificate or protocol is refused, or a plain Error (code kept) when nothing answers.
 */
export function handshake(endpoint: string, options: ConnectionOptions, timeoutMs: number): Promise<TlsHandshake> {
  const { host, port } = splitHostPort(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ ...options, host, port, ...(options.servername || isIP(host) ? {} : { servername: host }) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`${endpoint}: no TLS handshake within ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const result = { endpoint, protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.name ?? 'unknown' };
      socket.end();
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      if (err.code && UNREACHABLE.has(err.code)) reject(Object.assign(new Error(`${endpoint}: ${err.message}`), { code: err.code }));
      else reject(new TlsHandshakeError(endpoint, err.code, err.message));
    });
  });
}

/**
 * Checks the TLS handshake with every bootstrap broker before the clients start: a certificate the
 * config does not trust (wrong CA, wrong host) fails the start at once with an error naming the
 * broker, where the clients would retry the handshake for a long while under a generic
 * connection error. Brokers that do not answer are left to the clients' own retries.
 */
export async function verifyBrokerTls(config: Pick<KafkaConfig, 'brokers' | 'ssl' | 'connectionTimeoutMs'>): Promise<TlsHandshake[]> {
  const options = tlsOptions(config.ssl);
  if (options === undefined) return [];
  const results = await Promise.allSettled(config.brokers.map((broker) => handshake(broker, options, Math.max(config.connectionTimeoutMs, 5000))));
  const refused = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof TlsHandshakeError ? [r.reason] : []));
  if (refused.length > 0) {
    throw new TlsHandshakeError(
      refused.map((e) => e.endpoint).join(', '),
      refused[0]!.tlsCode,
      `Kafka broker refused: ${refused[0]!.message.replace(/^TLS handshake with \S+ failed: /, '')}`,
    );
  }
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

function splitHostPort(endpoint: string): { host: string; port: number } {
  const at = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(endpoint.slice(at + 1)) };
}
