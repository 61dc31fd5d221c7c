import type { HeaderValue, InputMessage, OutputMessage } from './types.js';

/** Why a message could not be processed. `reason` must be safe to log: no event content. */
export interface Failure {
  code: string;
  reason: string;
}

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
export function deadLetterOf(message: InputMessage, failure: Failure): OutputMessage {
  const headers: Record<string, HeaderValue> = copyHeaders(message.headers);
  headers[DLQ_HEADER.reason] = failure.reason;
  headers[DLQ_HEADER.code] = failure.code;
  headers[DLQ_HEADER.sourceTopic] = message.topic;
  headers[DLQ_HEADER.partition] = String(message.partition);
  headers[DLQ_HEADER.offset] = message.offset;
  return { key: message.key, value: message.value, headers };
}

export function copyHeaders(headers: InputMessage['headers']): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
