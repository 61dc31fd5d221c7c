/**
 * The streaming loop and its seams.
 *
 *   const config = await loadEngineConfig('config/segmentloom.yaml');
 *   const engine = await startKafkaEngine(config, { logger });   // consumes until stop()
 *   await engine.stop();                                          // sends + commits the batches in flight
 *
 *   const result = await runFileEngine(config, { logger, input: 'events.ndjson', outDir: 'out' });
 */
export type { EventSource, EventSink, SourceBatch, InputMessage, OutputMessage, HeaderValue } from './types.js';
export { Pipeline, type PipelineOptions, type BatchPersistence } from './engine.js';
export { ControlsRef, type Controls, type PolicyEngineLike, type PolicyRunLike, type PolicyOutcome } from './controls.js';
export { jsonDecoder, type EventDecoder, type MessageDecodeResult } from './decode.js';
export { createConfluentDecoder, toPlainJson, type ConfluentDecoderOptions } from './confluent.js';
export { deadLetterOf, DLQ_HEADER, TRUNCATED_HEADER, type Failure } from './dead-letter.js';
export { StaticSuppression, HashedSuppression, type SuppressionCheck } from './suppression.js';
export { DurableState, derivedMessageId, type DurableCounts, type DurableOptions } from './durable.js';
export { BatchTap, type TapOptions, type TapResult } from './tap.js';
export { ReviewedClassifications, type ReviewedPoint } from './reviewed.js';
export { StoreLists } from './store-lists.js';
export { buildControls, accountStats, type BuiltControls } from './runtime.js';
export { HotReloader, type HotReloaderOptions } from './reload.js';
export { RunTotals, emptyReport, mergeReport, type BatchReport, type EngineObserver } from './report.js';
export { DataPointTally, EventWalker, type WalkHook } from './walker.js';
export { summarize, formatSummary, type RunSummary } from './summary.js';
export { startKafkaEngine, runFileEngine, FILE_DEAD_LETTER, type EngineHandle, type StartOptions, type FileRunOptions, type FileRunResult } from './service.js';
export { FileSource, type FileSourceOptions } from './file/source.js';
export { NdjsonFileSink, type NdjsonFileSinkOptions } from './file/sink.js';
export { KafkaSource, type KafkaSourceOptions } from './kafka/source.js';
export { PlatformaticKafkaSink } from './kafka/platformatic-sink.js';
export { PlatformaticKafkaSource } from './kafka/platformatic-source.js';
export { createKafkaClient, ensureTopics } from './kafka/client.js';
export { LocalProcessor, type BatchProcessor, type ProcessedBatch, type MessageOutcome, type ProcessInput, type ProcessingExtras } from './processor.js';
export { WorkerPool } from './worker/pool.js';
export { decoderFor } from './decode-config.js';
export { splitBySize } from './kafka/sink.js';
