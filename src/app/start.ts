import { topicSources, type EngineConfig } from '../config/load.js';
import type { Environment } from '../core/env.js';
import type { Logger } from '../core/logger.js';
import { EngineMetrics } from '../observability/metrics.js';
import { startObservabilityServer, type ObservabilityServer } from '../observability/server.js';
import { availableParallelism } from 'node:os';
import { ControlsRef } from '../pipeline/controls.js';
import { PathTrie } from '../events/index.js';
import { decoderFor } from '../config/decoder.js';
import type { EventDecoder } from '../events/index.js';
import type { EventSource } from '../events/index.js';
import { forwardKey } from '../pipeline/correction-relay.js';
import { DurableState, type DurableCounts } from '../state/durable.js';
import { Pipeline } from '../pipeline/loop.js';
import { FileSource } from '../pipeline/file/source.js';
import { NdjsonFileSink } from '../pipeline/file/sink.js';
import type { RotationOptions } from '../pipeline/file/rotate.js';
import { parseDuration } from '../storage/duration.js';
import { LocalProcessor } from '../pipeline/processor.js';
import { HotReloader } from './reload.js';
import { RunTotals, type BatchReport, type EngineObserver } from '../pipeline/report.js';
import { buildControls } from '../pipeline/build-controls.js';
import type { Readable } from 'node:stream';
import { DataPointTally } from '../pipeline/walker.js';
import { WorkerPool } from '../pipeline/worker/pool.js';
import { checkDemoKeys } from '../config/demo-keys.js';
import { deadLetterSealerFor } from '../pipeline/dead-letter-setup.js';
import type { PlatformaticKafkaSink } from '../pipeline/kafka/platformatic-sink.js';

/** The dead-letter target name in file mode: `<outDir>/dead-letter.ndjson`. */
export const FILE_DEAD_LETTER = 'dead-letter';

export interface EngineHandle {
  readonly pipeline: Pipeline;
  readonly metrics: EngineMetrics;
  readonly totals: RunTotals;
  readonly reloader: HotReloader | null;
  readonly server: ObservabilityServer | null;
  /** The event store, shared inventory, alerts and store lists; null without a `storage` section. */
  readonly durable: DurableState | null;
  /** Consumer joined and config loaded. */
  ready(): boolean;
  /** Graceful: the batch in flight finishes and commits, then everything disconnects. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  env?: Environment;
  /** Watch config/classifier/policy files and swap controls on change (default: config `reload.enabled`). */
  hotReload?: boolean;
  /** Start the /metrics, /healthz, /readyz server when the config has `metrics.port` (default true). */
  serveMetrics?: boolean;
  observers?: EngineObserver[];
}

/** Starts a Kafka-consuming engine from a loaded config. Resolves once consuming has begun. */
export async function startKafkaEngine(config: EngineConfig, options: StartOptions): Promise<EngineHandle> {
  const kafkaConfig = config.kafka;
  if (kafkaConfig === undefined) throw new Error(`${config.file}: kafka: the section is required to consume Kafka`);
  const { logger } = options;
  checkDemoKeys(config, false, (message) => logger.warn({ demoKeys: true }, message));
  const ref = new ControlsRef((await buildControls(config)).controls);
  const metrics = new EngineMetrics({ defaultMetrics: true });
  const durable = await DurableState.open(config, { logger, env: options.env, registry: metrics.registry });
  try {
    return await startKafka(config, kafkaConfig, options, ref, metrics, durable);
  } catch (err) {
    await durable?.close().catch(() => {});
    throw err;
  }
}

async function startKafka(
  config: EngineConfig,
  kafkaConfig: NonNullable<EngineConfig['kafka']>,
  options: StartOptions,
  ref: ControlsRef,
  metrics: EngineMetrics,
  durable: DurableState | null,
): Promise<EngineHandle> {
  const { logger } = options;
  // Loaded only here: the Kafka clients are ~0.6 s of CPU to import, which the file pipeline
  // (`npm start`, the embedded default) never needs.
  const [
    { createKafkaClient, ensureTopics },
    { verifyBrokerTls },
    { deadLetterTopicConfig, verifyDeadLetterRetention },
    { PlatformaticKafkaSink },
    { KafkaSource },
    { PlatformaticKafkaSource },
  ] = await Promise.all([
    import('../pipeline/kafka/client.js'),
    import('../pipeline/kafka/tls.js'),
    import('../pipeline/kafka/dead-letter-topic.js'),
    import('../pipeline/kafka/platformatic-sink.js'),
    import('../pipeline/kafka/source.js'),
    import('../pipeline/kafka/platformatic-source.js'),
  ]);
  // A broker certificate the config does not trust fails here, naming the broker, not in retries.
  for (const { endpoint, protocol } of await verifyBrokerTls(kafkaConfig)) logger.info({ broker: endpoint, protocol }, 'Kafka TLS verified');
  // kafkajs for the admin work (topic creation, the dead-letter retention check) and the `consumer: kafkajs` input.
  const kafka = createKafkaClient(kafkaConfig, logger);
  const deadLetterRetentionMs = parseDuration(config.deadLetter.retention)!;
  if (kafkaConfig.createTopics) {
    const outputs = config.policy.destinations.map((d) => d.topic);
    await ensureTopics(
      kafka,
      [...outputs, config.deadLetter.topic],
      kafkaConfig.createTopics,
      logger,
      new Map([[config.deadLetter.topic, deadLetterTopicConfig(deadLetterRetentionMs)]]),
    );
  }
  await verifyDeadLetterRetention(kafka, config.deadLetter.topic, deadLetterRetentionMs, logger);
  const sink = new PlatformaticKafkaSink(kafkaConfig, { maxBytesPerRequest: config.batch.maxBytesPerRequest });
  const sources = topicSources(config);
  const sourceOptions = {
    groupId: kafkaConfig.groupId,
    topics: [...sources.keys()],
    fromBeginning: kafkaConfig.fromBeginning,
    sessionTimeoutMs: kafkaConfig.sessionTimeoutMs,
    heartbeatIntervalMs: kafkaConfig.heartbeatIntervalMs,
    maxBytesPerPartition: config.batch.maxBytesPerPartition,
    maxBytes: config.batch.maxBytes,
    maxWaitTimeInMs: config.batch.maxWaitMs,
    partitionsConsumedConcurrently: config.batch.partitionsConsumedConcurrently,
    logger,
  };
  const source = kafka && kafkaConfig.consumer === 'kafkajs' ? new KafkaSource(kafka, sourceOptions) : new PlatformaticKafkaSource(kafkaConfig, sourceOptions);
  const workers = config.batch.workers === 'auto' ? autoWorkers() : config.batch.workers;
  const pool = workers > 0 ? await WorkerPool.start(config, workers, logger, undefined, durable?.workerInit()) : undefined;
  if (pool && durable) durable.follow((state) => pool.updateState(state));
  let assembling = false;
  try {
    // After the pool: a pool that fails to start leaves no open producer keeping the process alive.
    await sink.connect();
    assembling = true;
    const handle = await assemble({
      config,
      options,
      ref,
      source,
      sink,
      decoder: decoderFor(config),
      sourceName: (topic) => sources.get(topic) ?? config.source,
      route: 'topic',
      metrics,
      pool,
      durable,
    });
    // Corrections re-enter through the first input topic: the same controls as any event (see correction-relay.ts).
    const inputTopic = [...sources.keys()][0]!;
    durable?.relayCorrections((event) => sink.send(inputTopic, [{ key: forwardKey(event), value: JSON.stringify(event) }]));
    return handle;
  } catch (err) {
    await pool?.close();
    // A failed assemble has stopped the pipeline, which closed the sink.
    if (!assembling) await sink.close().catch(() => {});
    throw err;
  }
}

export interface FileRunOptions extends StartOptions {
  /** NDJSON input path or `-`; default: the config's `files.input`. */
  input?: string;
  /** Output directory; default: the config's `files.outDir`, else `out`. */
  outDir?: string;
  stdin?: Readable;
}

export interface FileRunResult {
  totals: RunTotals;
  tally: DataPointTally;
  files: Map<string, string>;
  outDir: string;
  /** Stored events and new data points, when the config has `storage`. */
  durable?: DurableCounts;
}

/** Runs the embedded pipeline over an NDJSON file (or stdin) to NDJSON files, to the end of the input. */
export async function runFileEngine(config: EngineConfig, options: FileRunOptions): Promise<FileRunResult> {
  const input = options.input ?? config.files?.input;
  if (input === undefined) throw new Error('no input: pass --input FILE (or -), or set files.input in the config');
  const outDir = options.outDir ?? config.files?.outDir ?? 'out';
  // The embedded demo: files in, and state (if any) in the embedded PGlite store.
  checkDemoKeys(config, config.storage?.databaseUrl === undefined, (message) => options.logger.warn({ demoKeys: true }, message));
  const ref = new ControlsRef((await buildControls(config, { deadLetterTarget: FILE_DEAD_LETTER })).controls);
  // Lines are kept whole well past the event size limit, so an oversized event is dead-lettered intact.
  const source = new FileSource({
    path: input,
    batchSize: config.batch.size,
    stdin: options.stdin,
    topic: config.source,
    maxLineBytes: Math.max(16 * 1024 * 1024, 4 * config.limits.maxBytes),
  });
  const sink = new NdjsonFileSink({ dir: outDir, envelopeTargets: [FILE_DEAD_LETTER], rotate: deadLetterRotation(config) });
  const tally = new DataPointTally();
  const metrics = new EngineMetrics({ defaultMetrics: false });
  const durable = await DurableState.open(config, { logger: options.logger, env: options.env, registry: metrics.registry });
  let handle: EngineHandle;
  try {
    const sourceName = () => config.source;
    handle = await assemble({
      config,
      options: { ...options, hotReload: options.hotReload ?? false },
      ref,
      source,
      sink,
      decoder: decoderFor(config),
      sourceName,
      route: 'destination',
      metrics,
      tally,
      durable,
    });
  } catch (err) {
    await durable?.close().catch(() => {});
    throw err;
  }
  try {
    await source.finished;
  } catch (err) {
    // Stopped (a disk full, an output that cannot be written): say how far the input is safely done.
    const where = `input committed through line ${source.committedLines} of ${input === '-' ? 'stdin' : input}; rerun from line ${source.committedLines + 1}`;
    throw Object.assign(new Error(`${(err as Error).message ?? String(err)}; ${where}`), {
      code: (err as { code?: string }).code,
      committedLines: source.committedLines,
    });
  } finally {
    await handle.stop();
  }
  return { totals: handle.totals, tally, files: sink.files, outDir, ...(durable ? { durable: durable.counts } : {}) };
}

export interface FeedRunOptions extends StartOptions {
  /** A source that pushes batches (the HTTP ingest's PipelineFeed); its batches are committed once written. */
  source: EventSource;
  /** The source name of a batch's topic. */
  sourceName: (topic: string) => string;
  /** Output directory; default: the config's `files.outDir`, else `out`. */
  outDir?: string;
}

/** The embedded pipeline (NDJSON outputs) over a pushing source, running until `stop()`. */
export async function startFeedEngine(config: EngineConfig, options: FeedRunOptions): Promise<EngineHandle & { files: Map<string, string>; outDir: string }> {
  const outDir = options.outDir ?? config.files?.outDir ?? 'out';
  const ref = new ControlsRef((await buildControls(config, { deadLetterTarget: FILE_DEAD_LETTER })).controls);
  const sink = new NdjsonFileSink({ dir: outDir, envelopeTargets: [FILE_DEAD_LETTER], rotate: deadLetterRotation(config) });
  const metrics = new EngineMetrics({ defaultMetrics: false });
  const durable = await DurableState.open(config, { logger: options.logger, env: options.env, registry: metrics.registry });
  try {
    const handle = await assemble({
      config,
      options: { ...options, hotReload: options.hotReload ?? false },
      ref,
      source: options.source,
      sink,
      decoder: decoderFor(config),
      sourceName: options.sourceName,
      route: 'destination',
      metrics,
      tally: new DataPointTally(),
      durable,
    });
    return Object.assign(handle, { files: sink.files, outDir });
  } catch (err) {
    await durable?.close().catch(() => {});
    throw err;
  }
}

interface EngineParts {
  config: EngineConfig;
  options: StartOptions;
  ref: ControlsRef;
  source: EventSource;
  sink: PlatformaticKafkaSink | NdjsonFileSink;
  decoder: EventDecoder;
  sourceName: (topic: string) => string;
  route: 'topic' | 'destination';
  metrics: EngineMetrics;
  tally?: DataPointTally;
  pool?: WorkerPool | undefined;
  /** Closed by the handle's stop(); on a failed start the caller closes it. */
  durable: DurableState | null;
}

async function assemble(parts: EngineParts): Promise<EngineHandle> {
  const { config, options, ref, source, sink, decoder, sourceName, route, metrics, tally, pool, durable } = parts;
  const { logger } = options;
  let deadLetterSealer;
  try {
    deadLetterSealer = deadLetterSealerFor(config, options.env ?? process.env, logger);
  } catch (err) {
    await sink.close().catch(() => {});
    throw err;
  }
  const totals = new RunTotals();
  // With state to keep, processing in this thread gets the store's suppression list and the walk tap.
  const local =
    pool === undefined && durable !== null ? new LocalProcessor(decoder, sourceName, new PathTrie(), tally ?? null, durable.processing()) : undefined;
  const pipeline = new Pipeline({
    source,
    sink,
    decoder,
    controls: ref,
    sourceName,
    route,
    observers: [
      metrics,
      totals,
      ...(durable?.alerts ? [{ onBatch: (report: BatchReport) => (durable.alertLeaks(report), durable.alertDeadLetters(report)) }] : []),
      ...(options.observers ?? []),
    ],
    logger,
    maxMessagesPerRequest: config.batch.maxMessagesPerRequest,
    // A Kafka record must fit in one produce request (kept under the broker's message.max.bytes).
    ...(route === 'topic' ? { maxRecordBytes: config.batch.maxBytesPerRequest } : {}),
    tally,
    processor: pool ?? local,
    persistence: durable ?? undefined,
    deadLetterSealer,
  });
  const reloader =
    (options.hotReload ?? config.reload.enabled)
      ? new HotReloader({
          initial: config,
          ref,
          logger,
          env: options.env,
          deadLetterTarget: route === 'destination' ? FILE_DEAD_LETTER : undefined,
          onReload: (result) => metrics.onReload(result),
          apply: pool ? (next) => pool.update(next) : undefined,
        })
      : null;
  const ready = () => (source.ready?.() ?? true) && ref.current !== undefined;
  let server: ObservabilityServer | null = null;
  try {
    await reloader?.start();
    if (config.metrics && options.serveMetrics !== false) {
      server = await startObservabilityServer({
        port: config.metrics.port,
        host: config.metrics.host,
        registry: metrics.registry,
        ready: () => ({ consumer: source.ready?.() ?? true, config: ref.current !== undefined }),
      });
      logger.info({ url: server.url }, 'observability server listening');
    }
    await pipeline.start();
  } catch (err) {
    reloader?.close();
    await server?.close();
    await pipeline.stop().catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    pipeline,
    metrics,
    totals,
    reloader,
    server,
    durable,
    ready,
    stop() {
      stopping ??= (async () => {
        reloader?.close();
        try {
          await pipeline.stop();
        } finally {
          // After the last batch: its observations are flushed and its alerts handed on.
          try {
            await durable?.close();
          } finally {
            await server?.close();
          }
        }
      })();
      return stopping;
    },
  };
}

/** The dead-letter file's rotation: by size, and rotated files deleted past `deadLetter.retention`. */
function deadLetterRotation(config: EngineConfig): Map<string, RotationOptions> {
  return new Map([[FILE_DEAD_LETTER, { maxBytes: config.deadLetter.maxFileBytes, retentionMs: parseDuration(config.deadLetter.retention)! }]]);
}

/** `batch.workers: auto`: a worker per core, at most 4 (batches come from at most a few partitions at once); none on one core. */
function autoWorkers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores);
}
