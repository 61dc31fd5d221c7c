import { createHmac, timingSafeEqual } from 'node:crypto';

/** `v1=<hex HMAC-SHA256(secret, "${timestamp}.${body}")>`: binding the timestamp stops replays of old bodies. */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `v1=${hmacHex(secret, String(timestamp), body)}`;
}

function hmacHex(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * For receivers of the generic webhook. Pass the raw request body (exactly the bytes received), the
 * `X-Segmentloom-Timestamp` and `X-Segmentloom-Signature` headers. Rejects timestamps more than
 * `toleranceSec` away from `now` (epoch milliseconds) so a captured request cannot be replayed later.
 * The header may list several comma-separated `v1=` values (secret rotation); any match passes.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Buffer,
  signature: string | undefined,
  opts: { toleranceSec?: number; now?: number } = {},
): VerifyResult {
  const toleranceSec = opts.toleranceSec ?? 300;
  const nowSec = Math.floor((opts.now ?? Date.now()) / 1000);
  const ts = typeof timestamp === 'number' ? String(timestamp) : (timestamp ?? '');
  if (!/^\d{1,12}$/.test(ts) || !signature) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSec - Number(ts)) > toleranceSec) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, ts, body), 'utf8');
  let matched = false;
  for (const part of signature.split(',')) {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/i.exec(part);
    if (!m) continue;
    // Constant-time: both sides are 64 hex chars, so timingSafeEqual never sees unequal lengths.
    if (timingSafeEqual(expected, Buffer.from(m[1]!.toLowerCase(), 'utf8'))) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
}
