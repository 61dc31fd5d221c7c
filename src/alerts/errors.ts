import { SegmentloomError } from '../core/errors.js';
import type { Alert } from './types.js';

/**
 * A failed delivery. Messages are built here from status codes and error codes only: receiver URLs
 * (Slack webhook URLs are credentials) and payloads never end up in a message or a log line.
 */
export class DeliveryError extends SegmentloomError {
  constructor(
    message: string,
    readonly opts: {
      /** False for errors a retry cannot fix soon (400/401/403/404 …); they go straight to the outbox. */
      retryable: boolean;
      status?: number;
      /** From a 429/503 Retry-After header. */
      retryAfterMs?: number;
      /** Per-point channels: the alerts not yet acknowledged, so only those are retried. */
      undelivered?: Alert[];
    },
  ) {
    super('SLOOM_ERR_DELIVERY', message);
    this.name = 'DeliveryError';
  }
  get retryable(): boolean {
    return this.opts.retryable;
  }
}

/** A short, value-free description of any error, for logs and the outbox. */
export function describeError(err: unknown): string {
  if (err instanceof DeliveryError) return err.message;
  // Only the error's class and code (e.g. a SQLSTATE): driver messages can quote the values involved.
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/i.test(code) ? `${err.name} (${code})` : err.name;
  }
  return 'unknown error';
}
