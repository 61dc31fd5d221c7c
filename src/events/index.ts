export { EVENT_TYPES, checkEvent, eventName, subjectOf, type EventType, type SegmentEvent } from './event.js';
export { decodeJsonEvent, parseJsonEvent, unrepresentableNumber, checkDecoded, type DecodeResult, type DecodeFailure, type DecodeErrorCode } from './decode.js';
export { flatten, EventShapeError, type Leaf, type LeafVisitor, type KeyVisitor, type Container } from './flatten.js';
export { NodeBudget, PathNode, PathTrie, parsePath, ARRAY, type PathSegment, type PathScope } from './paths.js';
export { DEFAULT_LIMITS, type EventLimits } from './limits.js';
export type { HeaderValue, InputMessage, SourceBatch, EventSource, OutputMessage, EventSink } from './messages.js';
export { jsonDecoder, EMPTY_MESSAGE, type EventDecoder, type MessageDecodeResult } from './decoder.js';
export { createConfluentDecoder, toPlainJson, type ConfluentDecoderOptions } from './confluent.js';
export { deadLetterOf, copyHeaders, DLQ_HEADER, TRUNCATED_HEADER, type Failure } from './dead-letter.js';
