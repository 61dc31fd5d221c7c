import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { DeliveryError } from './errors.js';

export interface PostResult {
  status: number;
  body: string;
}

/** TLS settings of an HTTPS receiver: certificates are always verified, against `ca` when given. */
export interface ReceiverTls {
  /** PEM CA certificate(s) trusted for this receiver in place of the system roots. */
  ca?: string;
}

/** A channel's TLS settings from its config (the CA file is read once, when the channel is made). */
export function receiverTls(cfg: { caFile?: string | undefined; name: string }): ReceiverTls {
  if (cfg.caFile === undefined) return {};
  try {
    return { ca: readFileSync(cfg.caFile, 'utf8') };
  } catch (err) {
    throw new Error(`alert channel "${cfg.name}": cannot read caFile ${cfg.caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one body with a hard timeout. Any non-2xx becomes a DeliveryError whose retryability follows
 * HTTP semantics: 408/425/429 and 5xx are transient, other 4xx mean the request itself is wrong.
 * HTTPS receivers are verified (TLS 1.2 at least; the channel's CA when configured); a certificate
 * that fails is a retryable DeliveryError that says so, so the alert is parked, not dropped.
 * Redirects are not followed (an alert body is not sent where the config did not say).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
  tls: ReceiverTls = {},
): Promise<PostResult> {
  let res: { status: number; headers: Record<string, string | string[] | undefined>; text: string };
  try {
    res = await post(new URL(url), body, { 'content-type': 'application/json', 'user-agent': 'segmentloom-alerts/1', ...headers }, timeoutMs, tls);
  } catch (err) {
    throw new DeliveryError(`${what}: ${networkReason(err, timeoutMs)}`, { retryable: true });
  }
  const text = res.text;
  if (res.status >= 200 && res.status < 300) return { status: res.status, body: text };
  const retryable = res.status >= 500 || res.status === 408 || res.status === 425 || res.status === 429;
  const retryAfter = res.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : null);
  // Slack answers with short tokens like `invalid_blocks`: useful, and not data. Anything else is left out.
  const hint = /^[A-Za-z0-9_.: -]{1,80}$/.test(text.trim()) ? ` (${text.trim()})` : '';
  throw new DeliveryError(`${what}: HTTP ${res.status}${hint}`, {
    retryable,
    status: res.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, tls: ReceiverTls) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal: AbortSignal.timeout(timeoutMs) };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) })
        : httpRequest(url, options);
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(body);
  });
}

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_SSL|ERR_TLS/;

function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timeout after ${timeoutMs}ms`;
  const direct = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  const code = typeof direct === 'string' ? direct : cause && typeof cause.code === 'string' ? cause.code : undefined;
  if (code && CERTIFICATE_ERRORS.test(code)) return `TLS certificate of the receiver rejected (${code}; set the channel's caFile to trust a private CA)`;
  return `network error${code ? ` (${code})` : ''}`;
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
