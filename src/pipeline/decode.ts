import { decodeJsonEvent, type DecodeResult, type EventLimits } from '../events/index.js';
import type { InputMessage } from './types.js';

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
    return decodeJsonEvent(message.value, limits);
  },
};

export { EMPTY as EMPTY_MESSAGE };
