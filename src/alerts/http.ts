import { DeliveryError } from './errors.js';

export interface PostResult {
  status: number;
  body: string;
}

/**
 * POSTs one body with a hard timeout. Any non-2xx becomes a DeliveryError whose retryability follows
 * HTTP semantics: 408/425/429 and 5xx are transient, other 4xx mean the request itself is wrong.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'segmentloom-alerts/1', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new DeliveryError(`${what}: ${networkReason(err, timeoutMs)}`, { retryable: true });
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { status: res.status, body: text };
  const retryable = res.status >= 500 || res.status === 408 || res.status === 425 || res.status === 429;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  // Slack answers with short tokens like `invalid_blocks`: useful, and not data. Anything else is left out.
  const hint = /^[A-Za-z0-9_.: -]{1,80}$/.test(text.trim()) ? ` (${text.trim()})` : '';
  throw new DeliveryError(`${what}: HTTP ${res.status}${hint}`, {
    retryable,
    status: res.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timeout after ${timeoutMs}ms`;
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  const code = cause && typeof cause.code === 'string' ? cause.code : undefined;
  return `network error${code ? ` (${code})` : ''}`;
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
