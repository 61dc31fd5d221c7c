import { decodeJsonEvent, type DecodeResult } from './decode.js';
import type { EventLimits } from './limits.js';
import { TRUNCATED_HEADER } from './dead-letter.js';
import type { InputMessage } from './messages.js';

/** A decode failure's code is a dead-letter code: `oversized`, `malformed_json`, `unknown_schema`, … */
export type MessageDecodeResult = DecodeResult | { ok: false; code: string; reason: string };

/**
 * Turns a raw message into an event. Returns a failure (the message goes to the dead-letter
 * target) for bad input; throws only for transient trouble (a schema registry that is down), so
 * the batch is retried instead of good data being dead-lettered.
 */
export interface EventDecoder {
  decode(message: InputMessage, limits: EventLimits): MessageDecodeResult | Promise<MessageDecodeResult>;
}

const EMPTY: MessageDecodeResult = { ok: false, code: 'empty', reason: 'message has no value' };

/** Plain JSON values (Segment's own format). */
export const jsonDecoder: EventDecoder = {
  decode(message, limits) {
    if (message.value === null || message.value.length === 0) return EMPTY;
    const result = decodeJsonEvent(message.value, limits);
    return result.ok || result.code !== 'oversized' ? result : withRealSize(result, message, limits);
  },
};

/**
 * A line the file source cut to its limit carries its full length in TRUNCATED_HEADER: the reason
 * says how big the event really was, not how much of it was kept.
 */
function withRealSize(failure: MessageDecodeResult & { ok: false }, message: InputMessage, limits: EventLimits): MessageDecodeResult {
  const header = message.headers[TRUNCATED_HEADER];
  const size = header === undefined ? NaN : Number(String(header));
  if (!Number.isSafeInteger(size) || size <= 0) return failure;
  return { ...failure, reason: `event is ${size} bytes, over the ${limits.maxBytes}-byte limit` };
}

export { EMPTY as EMPTY_MESSAGE };
