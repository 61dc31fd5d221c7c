import { isUtf8 } from 'node:buffer';
import { checkEvent, describeType, type SegmentEvent } from './event.js';
import { DEFAULT_LIMITS, type EventLimits } from './limits.js';

export type DecodeFailure = { ok: false; code: DecodeErrorCode; reason: string };
export type DecodeResult = { ok: true; event: SegmentEvent } | DecodeFailure;
export type DecodeErrorCode = 'oversized' | 'malformed_json' | 'unrepresentable_number' | 'not_an_object' | 'invalid_event';

/**
 * Parses one JSON-encoded event. Reasons are safe to log: they name the problem and a byte
 * offset, never a fragment of the input (V8's JSON errors quote the input, which may be PII).
 */
export function decodeJsonEvent(input: string | Uint8Array, limits: EventLimits = DEFAULT_LIMITS): DecodeResult {
  const parsed = parseText(input, limits);
  if (!parsed.ok) return parsed;
  const unrepresentable = unrepresentableNumber(parsed.text);
  if (unrepresentable) return { ok: false, code: 'unrepresentable_number', reason: unrepresentable };
  return checkDecoded(parsed.value);
}

/**
 * decodeJsonEvent without the text scan for numbers a double cannot carry, for a caller that
 * walks every leaf anyway: such a number parses to ±Infinity or 0, so only an event with a leaf
 * number that is not finite or is zero needs `unrepresentableNumber(text)` afterwards (the scan
 * costs ~20% of JSON.parse and is spared for most events). An event the schema normalised (ids
 * given as numbers) is scanned here, as its leaves no longer show what was parsed.
 */
export function parseJsonEvent(
  input: string | Uint8Array,
  limits: EventLimits = DEFAULT_LIMITS,
): { ok: true; event: SegmentEvent; text: string } | DecodeFailure {
  const parsed = parseText(input, limits);
  if (!parsed.ok) return parsed;
  const checked = checkDecoded(parsed.value);
  if (!checked.ok) {
    const unrepresentable = unrepresentableNumber(parsed.text);
    return unrepresentable ? { ok: false, code: 'unrepresentable_number', reason: unrepresentable } : checked;
  }
  if (checked.event !== parsed.value) {
    const unrepresentable = unrepresentableNumber(parsed.text);
    if (unrepresentable) return { ok: false, code: 'unrepresentable_number', reason: unrepresentable };
  }
  return { ok: true, event: checked.event, text: parsed.text };
}

function parseText(input: string | Uint8Array, limits: EventLimits): { ok: true; value: unknown; text: string } | DecodeFailure {
  // A UTF-16 string of n units encodes to at most 3n bytes: measure only when that could exceed the limit.
  const size = typeof input === 'string' ? (input.length * 3 <= limits.maxBytes ? input.length : Buffer.byteLength(input)) : input.byteLength;
  if (size > limits.maxBytes) {
    return { ok: false, code: 'oversized', reason: `event is ${size} bytes, over the ${limits.maxBytes}-byte limit` };
  }
  // JSON text is UTF-8 (RFC 8259): bytes that are not would be decoded with replacement characters,
  // silently changing the event. They are refused instead (a native check: ~30 ns for a 1 KB event).
  if (typeof input !== 'string' && !isUtf8(input)) return { ok: false, code: 'malformed_json', reason: 'malformed JSON: the bytes are not valid UTF-8' };
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (err) {
    return { ok: false, code: 'malformed_json', reason: `malformed JSON${jsonErrorPosition(err, text)}` };
  }
}

// Only a number with an exponent of 3+ digits, or 309+ digits in a row, can overflow a double or
// underflow to zero: native scans of the text rule out almost every event. An exponent candidate
// counts only where a JSON number can stand (digits before it, and `:`, `,` or `[` before those):
// hex ids (`"…4e123…"`) are everywhere and would otherwise send most events to the full tokenizer
// (measured: ~10% of the detection hot path).
const EXPONENT = /[eE][+-]?\d{3}/g;
const LONG_DIGITS = /\d{309}/;

function maybeUnrepresentable(text: string): boolean {
  if (text.length >= 309 && LONG_DIGITS.test(text)) return true;
  EXPONENT.lastIndex = 0;
  for (let match = EXPONENT.exec(text); match !== null; match = EXPONENT.exec(text)) {
    let i = match.index - 1;
    let digits = 0;
    for (; i >= 0; i--) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
      else if (c !== 46) break; // '.'
    }
    if (digits === 0) continue;
    if (i >= 0 && text.charCodeAt(i) === 45) i--; // '-'
    while (i >= 0 && isJsonSpace(text.charCodeAt(i))) i--;
    const before = i >= 0 ? text.charCodeAt(i) : -1;
    if (before === 58 || before === 44 || before === 91) return true; // ':' ',' '['
  }
  return false;
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

// Strings are matched (and skipped) so that digits inside them are not taken for numbers.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Why the JSON text holds a number the parsed event cannot carry, or null. JSON.parse turns
 * `1e400` into Infinity (serialised again as `null`) and `1e-400` into 0: the event would change
 * without a trace, so it is dead-lettered instead. The reason names no value.
 */
export function unrepresentableNumber(text: string): string | null {
  if (!maybeUnrepresentable(text)) return null;
  TOKENS.lastIndex = 0;
  for (let match = TOKENS.exec(text); match !== null; match = TOKENS.exec(text)) {
    const token = match[0];
    if (token.charCodeAt(0) === 34) continue;
    const value = Number(token);
    if (!Number.isFinite(value))
      return `a number at byte offset ${Buffer.byteLength(text.slice(0, match.index))} is too large for a 64-bit float (it would become null)`;
    if (value === 0 && /[1-9]/.test(token.replace(/[eE].*$/, ''))) {
      return `a number at byte offset ${Buffer.byteLength(text.slice(0, match.index))} is too small for a 64-bit float (it would become 0)`;
    }
  }
  return null;
}

/** Validates an already-decoded value (e.g. from a schema-registry decoder). */
export function checkDecoded(parsed: unknown): DecodeResult {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, code: 'not_an_object', reason: `event must be a JSON object, got ${describeType(parsed)}` };
  }
  const checked = checkEvent(parsed);
  return checked.ok ? checked : { ok: false, code: 'invalid_event', reason: checked.reason };
}

function jsonErrorPosition(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : '';
  // Anchored to V8's own wording: shorter messages also quote the input, which must not leak.
  const position = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  if (position) return ` at byte offset ${Buffer.byteLength(text.slice(0, Number(position[1])))}`;
  if (/end of JSON input|Unterminated/i.test(message)) return ': input ends unexpectedly';
  return '';
}
