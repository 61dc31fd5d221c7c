import type { HeaderValue, InputMessage, OutputMessage } from './messages.js';

/** Why a message could not be processed. `reason` must be safe to log: no event content. */
export interface Failure {
  code: string;
  reason: string;
}

/** On an input or dead-letter record cut to a size limit: the original length in bytes. */
export const TRUNCATED_HEADER = 'x-segmentloom-truncated-from';

export const DLQ_HEADER = {
  reason: 'x-segmentloom-dlq-reason',
  code: 'x-segmentloom-dlq-code',
  sourceTopic: 'x-segmentloom-dlq-source-topic',
  partition: 'x-segmentloom-dlq-partition',
  offset: 'x-segmentloom-dlq-offset',
} as const;

/**
 * The dead-letter record of an input: its original bytes, key and headers untouched (so it can be
 * replayed once the cause is fixed), plus headers saying why and where it came from.
 */
export function deadLetterOf(message: InputMessage, failure: Failure, maxValueBytes = Infinity): OutputMessage {
  const headers: Record<string, HeaderValue> = copyHeaders(message.headers);
  let value = message.value;
  // A record the dead-letter topic would refuse would stall the partition: keep what fits, and say so.
  if (value !== null && value.length > maxValueBytes) {
    // A line the file source already cut says its full length; keep that, not the cut length.
    if (headers[TRUNCATED_HEADER] === undefined) headers[TRUNCATED_HEADER] = String(value.length);
    value = value.subarray(0, maxValueBytes);
  }
  headers[DLQ_HEADER.reason] = failure.reason;
  headers[DLQ_HEADER.code] = failure.code;
  headers[DLQ_HEADER.sourceTopic] = message.topic;
  headers[DLQ_HEADER.partition] = String(message.partition);
  headers[DLQ_HEADER.offset] = message.offset;
  return { key: message.key, value, headers };
}

export function copyHeaders(headers: InputMessage['headers']): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
