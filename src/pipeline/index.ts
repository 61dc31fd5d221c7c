/**
 * The streaming loop and its seams.
 *
 *   const config = await loadEngineConfig('config/segmentloom.yaml');
 *   const engine = await startKafkaEngine(config, { logger });   // consumes until stop()
 *   await engine.stop();                                          // sends + commits the batches in flight
 *
 *   const result = await runFileEngine(config, { logger, input: 'events.ndjson', outDir: 'out' });
 */
export type { EventSource, EventSink, SourceBatch, InputMessage, OutputMessage, HeaderValue } from '../events/messages.js';
export { Pipeline, type PipelineOptions, type BatchPersistence } from './loop.js';
export { ControlsRef, type Controls, type PolicyEngineLike, type PolicyRunLike, type PolicyOutcome } from './controls.js';
export { jsonDecoder, type EventDecoder, type MessageDecodeResult } from '../events/decoder.js';
export { createConfluentDecoder, toPlainJson, type ConfluentDecoderOptions } from '../events/confluent.js';
export { deadLetterOf, DLQ_HEADER, TRUNCATED_HEADER, type Failure } from '../events/dead-letter.js';
export { StaticSuppression, HashedSuppression, type SuppressionCheck } from '../storage/suppression/check.js';
export { DurableState, derivedMessageId, type DurableCounts, type DurableOptions } from '../state/durable.js';
export { BatchTap, type TapOptions, type TapResult } from './tap.js';
export { ReviewedClassifications, type ReviewedPoint } from './reviewed.js';
export { StoreLists } from '../state/store-lists.js';
export { buildControls, accountStats, type BuiltControls } from './build-controls.js';
export { HotReloader, type HotReloaderOptions } from '../app/reload.js';
export { RunTotals, emptyReport, mergeReport, type BatchReport, type EngineObserver } from './report.js';
export { DataPointTally, EventWalker, type WalkHook } from './walker.js';
export { summarize, formatSummary, type RunSummary } from '../app/summary.js';
export { startKafkaEngine, runFileEngine, FILE_DEAD_LETTER, type EngineHandle, type StartOptions, type FileRunOptions, type FileRunResult } from '../app/start.js';
export { FileSource, type FileSourceOptions } from './file/source.js';
export { NdjsonFileSink, type NdjsonFileSinkOptions } from './file/sink.js';
export { KafkaSource, type KafkaSourceOptions } from './kafka/source.js';
export { KafkaSink, type KafkaSinkOptions } from './kafka/sink.js';
export { createKafkaClient, ensureTopics } from './kafka/client.js';
export { LocalProcessor, type BatchProcessor, type ProcessedBatch, type MessageOutcome, type ProcessInput, type ProcessingExtras } from './processor.js';
export { WorkerPool } from './worker/pool.js';
export { decoderFor } from '../config/decoder.js';
export { splitBySize } from './kafka/sink.js';
