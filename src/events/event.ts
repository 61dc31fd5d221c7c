import { z } from 'zod';
import { safeIssueMessage } from '../core/zod-issues.js';

/** The Segment-spec call types Segmentloom understands. */
export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A decoded Segment-spec event. Unknown top-level fields are kept: they are scanned too. */
export interface SegmentEvent {
  type: EventType;
  event?: string;
  messageId?: string;
  userId?: string | null;
  anonymousId?: string | null;
  timestamp?: string;
  context?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  [field: string]: unknown;
}

const jsonObject = z.record(z.string(), z.unknown());
const id = z.union([z.string(), z.number().transform(String)]).nullish();

// Shallow on purpose: nested content is walked by the flattener, which enforces depth and size limits.
const eventSchema = z.looseObject({
  type: z.enum(EVENT_TYPES),
  event: z.string().min(1).optional(),
  messageId: z.string().optional(),
  userId: id,
  anonymousId: id,
  timestamp: z.string().optional(),
  context: jsonObject.optional(),
  properties: jsonObject.optional(),
  traits: jsonObject.optional(),
});

export type EventCheck = { ok: true; event: SegmentEvent } | { ok: false; reason: string };

/**
 * Validates a parsed JSON value as a Segment event. The reason names the field and the problem,
 * never the offending value (it may be personal data).
 */
export function checkEvent(value: unknown): EventCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `event must be a JSON object, got ${describeType(value)}` };
  }
  if (isPlainValidEvent(value as Record<string, unknown>)) return { ok: true, event: value as SegmentEvent };
  // Slow path: zod explains what is wrong (and normalises numeric ids).
  const result = eventSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return { ok: false, reason: `invalid event: field "${where}": ${safeIssueMessage(issue)}` };
  }
  const event = result.data as SegmentEvent;
  if (event.type === 'track' && typeof event.event !== 'string') {
    return { ok: false, reason: 'invalid event: field "event": a track call needs an event name' };
  }
  return { ok: true, event };
}

/** The name a data point is filed under: a track call's `event`, otherwise the call type. */
export function eventName(event: SegmentEvent): string {
  return event.type === 'track' && typeof event.event === 'string' ? event.event : event.type;
}

/** The data subject an event belongs to: userId, else anonymousId. */
export function subjectOf(event: SegmentEvent): { kind: 'userId' | 'anonymousId'; id: string } | null {
  if (typeof event.userId === 'string' && event.userId !== '') return { kind: 'userId', id: event.userId };
  if (typeof event.anonymousId === 'string' && event.anonymousId !== '') return { kind: 'anonymousId', id: event.anonymousId };
  return null;
}

const TYPES: ReadonlySet<unknown> = new Set(EVENT_TYPES);

/**
 * The common case checked by hand (this runs once per event): exactly what `eventSchema` accepts
 * without transforming anything. Anything else goes through zod, which explains the problem.
 */
function isPlainValidEvent(value: Record<string, unknown>): boolean {
  const { type, event, messageId, userId, anonymousId, timestamp, context, properties, traits } = value;
  if (!TYPES.has(type)) return false;
  if (event !== undefined && (typeof event !== 'string' || event === '')) return false;
  if (type === 'track' && event === undefined) return false;
  if (messageId !== undefined && typeof messageId !== 'string') return false;
  if (timestamp !== undefined && typeof timestamp !== 'string') return false;
  if (userId !== undefined && userId !== null && typeof userId !== 'string') return false;
  if (anonymousId !== undefined && anonymousId !== null && typeof anonymousId !== 'string') return false;
  return isObjectOrAbsent(context) && isObjectOrAbsent(properties) && isObjectOrAbsent(traits);
}

function isObjectOrAbsent(value: unknown): boolean {
  return value === undefined || (value !== null && typeof value === 'object' && !Array.isArray(value));
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
