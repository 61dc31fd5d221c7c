import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Registry } from 'prom-client';
import { AlertDispatcher } from '../alerts/dispatcher.js';
import { DeadLetterAlerts } from '../pipeline/dead-letter-alerts.js';
import { SqlOutbox } from '../alerts/outbox-sql.js';
import type { EngineConfig } from '../config/load.js';
import type { Environment } from '../core/env.js';
import { InventoryCache } from '../inventory/store-cache.js';
import type { DataPointSignal } from '../inventory/types.js';
import type { Logger } from '../core/logger.js';
import { inventoryFlushCounter, inventoryOverflowCounter } from '../observability/metrics.js';
import { DEFAULT_DATA_DIR } from '../storage/open.js';
import type { Keyring } from '../storage/crypto/master-keys.js';
import type { SubjectHasher } from '../storage/crypto/lookup.js';
import { storageKeys } from '../storage/config-keys.js';
import { safeErrorLabel } from '../storage/sql.js';
import { startCorrectionRelay, type ForwardEvent } from '../pipeline/correction-relay.js';
import { openStorage, type Storage } from '../storage/storage.js';
import { parseDuration } from '../storage/duration.js';
import { oldestEventAges, scheduleRetention } from '../storage/retention-schedule.js';
import { sideRetention } from '../storage/retention.js';
import { Counter, Gauge } from 'prom-client';
import type { BatchPersistence } from '../pipeline/loop.js';
import { leaksOf, type BatchReport } from '../pipeline/report.js';
import type { ProcessingExtras } from '../pipeline/processor.js';
import { StoreLists } from './store-lists.js';
import { BatchTap, type TapResult } from '../pipeline/tap.js';
import type { InputMessage } from '../events/index.js';
import type { WorkerDurableInit, WorkerState } from '../pipeline/worker/protocol.js';

/** What a stateful run did, for summaries: counts only. */
export interface DurableCounts {
  /** Events written to the event store. */
  storedEvents: number;
  /** Events already stored (redelivery, a re-run of the same input). */
  duplicateEvents: number;
  /** Events not stored because their subject was erased after they arrived. */
  erasedEvents: number;
  /** Null without the `inventory` section. */
  inventory: {
    /** Data points this process was the first, across all engines, to find. */
    newDataPoints: number;
    /** Known data points this process found carrying riskier data. */
    driftedDataPoints: number;
  } | null;
}

export interface DurableOptions {
  logger: Logger;
  env?: Environment | undefined;
  /** Where alert delivery metrics go (the engine's /metrics registry). */
  registry?: Registry | undefined;
}

/**
 * Everything a stateful engine keeps in its database, wired together: the encrypted event store
 * (written before each batch commits), the shared inventory (observations folded in memory and
 * flushed before the batch commits, batches finishing together in one upsert; the database
 * decides what is new), its alerts, and the suppression
 * and review lists the per-event path reads from memory. Opened only when the config has
 * `storage`; closed after the pipeline has stopped.
 */
export class DurableState implements BatchPersistence {
  readonly counts: DurableCounts;
  private closing: Promise<void> | null = null;
  private retentionSweep: { stop(): Promise<void> } | null = null;
  private correctionRelay: { stop(): Promise<void> } | null = null;
  private readonly deadLetterAlerts: DeadLetterAlerts | null;

  private constructor(
    private readonly config: EngineConfig,
    readonly storage: Storage,
    private readonly lookupKey: string,
    readonly inventory: InventoryCache | null,
    readonly alerts: AlertDispatcher | null,
    readonly lists: StoreLists,
    private readonly logger: Logger,
  ) {
    this.deadLetterAlerts = alerts ? new DeadLetterAlerts(config.deadLetter.alertIntervalMs, (signals) => alerts.enqueue(signals)) : null;
    this.counts = { storedEvents: 0, duplicateEvents: 0, erasedEvents: 0, inventory: inventory ? { newDataPoints: 0, driftedDataPoints: 0 } : null };
  }

  /** Opens the store and loads the lists; null when the config has no `storage` section. */
  static async open(config: EngineConfig, options: DurableOptions): Promise<DurableState | null> {
    const cfg = config.storage;
    if (cfg === undefined) return null;
    const env = options.env ?? process.env;
    const logger = options.logger.child({ component: 'storage' });
    const { keyring, hasher, lookupKey } = keysOf(config, env);
    const storage = await openStorage({
      url: cfg.databaseUrl,
      dataDir: cfg.databaseUrl ? undefined : (cfg.dataDir ?? resolve(DEFAULT_DATA_DIR)),
      schema: cfg.schema,
      keyring,
      hasher,
      // The engine runs no data-subject requests, so it signs no receipts and needs no signing key.
      receiptSigner: null,
      retention: cfg.retention,
      logger,
    });
    let alerts: AlertDispatcher | null = null;
    try {
      const lists = new StoreLists({
        db: storage.db,
        suppressions: config.suppression.fromStore ? storage.suppressions : null,
        suppressionPollMs: config.suppression.pollIntervalMs,
        reviewPollMs: config.review?.pollIntervalMs ?? null,
        // With a shared inventory, what other engines classify reaches this one's point memory.
        pointsPollMs: config.inventory?.pointMemoryPollMs ?? null,
        logger,
      });
      await lists.load();
      alerts = config.alerts
        ? new AlertDispatcher({ config: config.alerts, outbox: new SqlOutbox(storage.db), logger: options.logger, registry: options.registry })
        : null;
      let state: DurableState | null = null;
      const inventory = config.inventory
        ? new InventoryCache(storage.db, {
            flushIntervalMs: config.inventory.flushIntervalMs,
            maxEventNames: config.inventory.maxEventNames,
            logger,
            onSignals: (signals) => state!.signaled(signals),
            onOverflow: options.registry ? inventoryOverflowCounter(options.registry) : undefined,
            onFlushed: options.registry ? inventoryFlushCounter(options.registry) : undefined,
          })
        : null;
      await inventory?.load();
      state = new DurableState(config, storage, lookupKey, inventory, alerts, lists, options.logger);
      inventory?.start();
      lists.start();
      if (cfg.retentionSweep !== false) {
        const deleted = options.registry
          ? ((options.registry.getSingleMetric('segmentloom_retention_events_deleted_total') as Counter | undefined) ??
            new Counter({
              name: 'segmentloom_retention_events_deleted_total',
              help: 'Stored events deleted by the scheduled retention sweep',
              registers: [options.registry],
            }))
          : null;
        const oldest = options.registry
          ? ((options.registry.getSingleMetric('segmentloom_retention_oldest_event_age_seconds') as Gauge<'retention_class'> | undefined) ??
            new Gauge({
              name: 'segmentloom_retention_oldest_event_age_seconds',
              help: 'Age of the oldest stored event per retention class (configured event names, else default), after the last sweep',
              labelNames: ['retention_class'],
              registers: [options.registry],
            }))
          : null;
        const classes = Object.keys(cfg.retention.events ?? {});
        state.retentionSweep = scheduleRetention(storage.db, {
          intervalMs: parseDuration(cfg.retentionSweep.every)!,
          batchSize: cfg.retentionSweep.batchSize,
          side: sideRetention(cfg.retention),
          onSweep: (result) => {
            deleted?.inc(result.events);
            if (oldest) {
              void oldestEventAges(storage.db, classes)
                .then((ages) => {
                  oldest.reset();
                  for (const [retentionClass, age] of ages) oldest.set({ retention_class: retentionClass }, age);
                })
                .catch((err: unknown) => logger.warn({ err: safeErrorLabel(err) }, 'oldest event age query failed'));
            }
            logger.info(
              { events: result.events, batches: result.batches, inventoryExamples: result.inventoryExamples, alertOutbox: result.alertOutbox },
              'retention sweep finished',
            );
            if (result.alertOutbox > 0) logger.warn({ dropped: result.alertOutbox }, 'alert deliveries parked past storage.retention.alertOutbox were dropped');
          },
          onError: (err) => logger.error({ err: safeErrorLabel(err) }, 'retention sweep failed; the next one resumes'),
        });
      }
      return state;
    } catch (err) {
      await alerts?.close().catch(() => {});
      await storage.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Forwards finished corrections into the pipeline's input with `forward` (a Kafka engine: its
   * first input topic), unless `storage.correctionRelayMs` is false. Stopped by close().
   */
  relayCorrections(forward: ForwardEvent): void {
    const every = this.config.storage?.correctionRelayMs;
    if (every === false || every === undefined || this.correctionRelay) return;
    this.correctionRelay = startCorrectionRelay(this.storage.requests, forward, { intervalMs: every, logger: this.logger });
  }

  /** For processing in this thread: the store's suppression list and a walk tap. */
  processing(): ProcessingExtras {
    return {
      suppression: this.config.suppression.fromStore ? this.storage.suppressions.forEvents(this.storage.hasher) : null,
      tap: new BatchTap({ store: true, inventory: this.inventory !== null, hasher: this.storage.hasher, reviews: () => this.lists.reviews }),
      memory: this.lists.memory,
    };
  }

  /** For processing in worker threads: what they need to do the same, and a feed of list changes. */
  workerInit(): WorkerDurableInit {
    return {
      store: true,
      inventory: this.inventory !== null,
      suppression: this.config.suppression.fromStore,
      lookupKey: this.lookupKey,
      state: this.lists.state,
    };
  }

  /** Sends every later change of the lists to `update` (e.g. WorkerPool.updateState). */
  follow(update: (state: WorkerState) => void): void {
    this.lists.onChange = update;
    // A poll may have landed since workerInit() was taken: start from the lists as they are now.
    update(this.lists.state);
  }

  async persist(messages: readonly InputMessage[], tap: TapResult | undefined, receivedAt: number): Promise<number> {
    if (tap === undefined || tap.events.length === 0) return 0;
    const seenAt = new Array<number>(tap.events.length);
    for (let k = 0; k < tap.events.length; k++) {
      const event = tap.events[k]!;
      const message = messages[tap.indexes[k]!]!;
      // Without a messageId a redelivered event would be stored twice: derive one from where it sits.
      if (typeof event.messageId !== 'string' || event.messageId === '') event.messageId = derivedMessageId(message);
      seenAt[k] = arrivalTime(message, receivedAt);
    }
    const result = await this.storage.events.storeEvents(tap.events, { seenAt, json: tap.json });
    this.counts.storedEvents += result.inserted;
    this.counts.duplicateEvents += result.duplicates;
    this.counts.erasedEvents += result.erased;
    return result.inserted;
  }

  async record(tap: TapResult | undefined): Promise<void> {
    if (this.inventory === null || tap === undefined) return;
    await this.inventory.record(tap.observations);
  }

  /** Folds a batch's observations in memory only (flushed by the timer): for callers without offsets to commit. */
  observe(tap: TapResult | undefined): void {
    if (this.inventory === null || tap === undefined) return;
    for (const observation of tap.observations) this.inventory.observe(observation);
  }

  /** Stops the polls, writes the inventory still pending, delivers (or parks) alerts, closes the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.lists.stop();
      await this.retentionSweep?.stop().catch(() => {});
      await this.correctionRelay?.stop().catch(() => {});
      try {
        await this.inventory?.stop();
      } catch (err) {
        this.logger.error(
          { err: safeErrorLabel(err), pending: this.inventory?.pendingCount },
          'inventory flush at shutdown failed; these observations are lost',
        );
      }
      try {
        this.deadLetterAlerts?.close();
        await this.alerts?.close();
      } finally {
        await this.storage.close();
      }
    })();
    return this.closing;
  }

  /** After a committed batch: its dead letters become rate-limited `dead_letter` alerts (queued, never awaited). */
  alertDeadLetters(report: BatchReport): void {
    this.deadLetterAlerts?.record(report.source ?? this.config.source, report.deadLettered);
  }

  /** After a committed batch: verify's leaks become `leak` alerts (queued, never awaited). */
  alertLeaks(report: BatchReport): void {
    if (this.alerts === null || report.leaks.size === 0) return;
    const detectedAt = new Date().toISOString();
    const signals: DataPointSignal[] = leaksOf(report).map((leak) => ({
      kind: 'leak',
      point: {
        source: leak.source,
        event: leak.event,
        path: leak.path,
        category: leak.category === 'unclassified' ? null : leak.category,
        dataCategory: null,
        classification: leak.classification,
        matchedOn: null,
        confidence: 1,
        matcher: 'verify',
        count: leak.values,
        firstSeen: detectedAt,
        lastSeen: detectedAt,
        example: null,
      },
      leak: { destination: leak.destination, values: leak.values },
      detectedAt,
    }));
    this.alerts.enqueue(signals);
  }

  /** From the inventory's flushes: signals this process won. Never blocks: alerts are queued. */
  private signaled(signals: DataPointSignal[]): void {
    const counts = this.counts.inventory!;
    for (const signal of signals) {
      if (signal.kind === 'new') counts.newDataPoints++;
      else counts.driftedDataPoints++;
    }
    this.alerts?.enqueue(signals);
  }
}

/**
 * A stable id for an event that came without one: the same message (topic, partition, offset and
 * the source's timestamp for it) always gets the same id, so redelivery stays idempotent. Only
 * coordinates are hashed, never content.
 */
export function derivedMessageId(message: Pick<InputMessage, 'topic' | 'partition' | 'offset' | 'timestamp'>): string {
  const digest = createHash('sha256').update(`${message.topic}\u0000${message.partition}\u0000${message.offset}\u0000${message.timestamp}`).digest('hex');
  return `sl-derived-${digest.slice(0, 32)}`;
}

/**
 * When an event entered the pipeline, for erasure: the earlier of the batch's arrival and the
 * record's own timestamp (a Kafka record waiting in its topic when the erasure ran is history the
 * erasure covers too; a producer clock running ahead cannot push an event past its arrival).
 */
export function arrivalTime(message: Pick<InputMessage, 'timestamp'>, receivedAt: number): number {
  const stamped = Number(message.timestamp);
  return Number.isFinite(stamped) && stamped > 0 && stamped < receivedAt ? stamped : receivedAt;
}

function keysOf(config: EngineConfig, env: Environment): { keyring: Keyring; hasher: SubjectHasher; lookupKey: string } {
  return storageKeys(config.storage!, config.file, env as NodeJS.ProcessEnv);
}
