import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../../config/load.js';
import type { Logger } from '../../core/logger.js';
import type { Controls } from '../controls.js';
import type { BatchProcessor, ProcessedBatch, ProcessInput } from '../processor.js';
import { unpackOutcomes, unpackStored } from './outcomes.js';
import type { FromWorker, ToWorker, WorkerDurableInit, WorkerInit, WorkerState } from './protocol.js';

/**
 * The compiled worker script. Under vitest the pool module runs from src/ (TypeScript), which
 * node cannot start as a worker: use the build in dist/ (`npm test` builds first).
 */
function workerScript(): URL {
  const here = new URL('./thread.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace('/src/pipeline/worker/', '/dist/pipeline/worker/'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('processing workers need the compiled build (npm run build), or set batch.workers: 0');
}

/**
 * Worker nursery size (V8 splits it into semi-spaces): 384 MB measured ~10% more events/s than the
 * default. Capped at 1/16 of the memory the process may use (its cgroup limit when there is one),
 * so several workers in a small container stay well inside it.
 */
function youngGenerationMb(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const limit = constrained !== undefined && constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return Math.max(16, Math.min(384, Math.floor(limit / 16 / 1024 / 1024)));
}

interface Pending {
  resolve: (result: ProcessedBatch) => void;
  reject: (err: Error) => void;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly controlAcks = new Map<number, (error?: string) => void>();
  readonly ready: Promise<void>;

  constructor(script: URL, init: WorkerInit, onExit: (w: PoolWorker, err: Error) => void) {
    // A roomy young generation: processing allocates a parse tree and output strings per event that
    // die within the batch, and V8's default nursery promotes (and later sweeps) much of it.
    this.worker = new Worker(script, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb() } });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new Error(`processing worker failed to start: ${message.message}`));
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (err) => onExit(this, err));
    this.worker.on('exit', (code) => onExit(this, new Error(`processing worker exited (code ${code})`)));
  }

  private receive(message: FromWorker): void {
    if (message.type === 'result') {
      const job = this.pending.get(message.id);
      this.pending.delete(message.id);
      const outcomes = unpackOutcomes(message.outcomes);
      const tap = message.tap;
      if (tap !== undefined) tap.json = unpackStored(message.outcomes);
      job?.resolve(tap ? { outcomes, report: message.report, tap } : { outcomes, report: message.report });
    } else if (message.type === 'error') {
      const job = this.pending.get(message.id);
      this.pending.delete(message.id);
      const err = new Error(message.message ?? `batch processing failed in a worker (${message.name})`);
      err.name = message.name;
      job?.reject(err);
    } else if (message.type === 'controls-done') {
      this.controlAcks.get(message.seq)?.(message.error);
      this.controlAcks.delete(message.seq);
    }
  }

  failAll(err: Error): void {
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
    for (const ack of this.controlAcks.values()) ack(err.message);
    this.controlAcks.clear();
  }
}

/**
 * Runs decode → suppression → detect + enforce in worker threads, so the thread that talks to
 * Kafka (fetching, producing, committing) and the processing use different cores. Batches go to
 * the least busy worker; one partition's batches still run one after another (the loop awaits
 * each), so per-key order is unchanged. A crashed worker fails its batches (they are redelivered,
 * nothing is committed) and is replaced.
 */
export class WorkerPool implements BatchProcessor {
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private seq = 1;
  private closed = false;
  private config: EngineConfig;

  private constructor(
    private readonly script: URL,
    config: EngineConfig,
    private readonly deadLetterTarget: string | undefined,
    private readonly logger: Logger,
    private readonly durable: WorkerDurableInit | undefined,
  ) {
    this.config = config;
  }

  static async start(config: EngineConfig, size: number, logger: Logger, deadLetterTarget?: string, durable?: WorkerDurableInit): Promise<WorkerPool> {
    const pool = new WorkerPool(workerScript(), config, deadLetterTarget, logger, durable && { ...durable, state: { ...durable.state } });
    for (let i = 0; i < size; i++) pool.workers.push(pool.spawn());
    try {
      await Promise.all(pool.workers.map((w) => w.ready));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  async process(_controls: Controls, messages: readonly ProcessInput[], checkpoint?: (i: number) => Promise<boolean>): Promise<ProcessedBatch | null> {
    const worker = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const { bytes, lengths, topics } = pack(messages);
    const result = new Promise<ProcessedBatch>((resolve, reject) => worker.pending.set(id, { resolve, reject }));
    worker.worker.postMessage({ type: 'batch', id, topics, bytes, lengths } satisfies ToWorker, [bytes, lengths.buffer as ArrayBuffer]);
    if (checkpoint === undefined) return result;
    // This thread is free while the worker runs: keep the group membership alive meanwhile.
    let abandoned = false;
    const timer = setInterval(() => {
      checkpoint(0).then(
        (ok) => (abandoned ||= !ok),
        () => {},
      );
    }, 1000);
    try {
      const processed = await result;
      return abandoned ? null : processed;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Hot reload: every worker rebuilds its controls from `config` before its next batch. All or
   * none: when one worker rejects it, every worker goes back to the config in force (which
   * replacement workers also start from), and the reload fails.
   */
  async update(config: EngineConfig): Promise<void> {
    const error = await this.broadcast(config);
    if (error === undefined) {
      this.config = config;
      return;
    }
    const back = await this.broadcast(this.config);
    if (back !== undefined) this.logger.error({ reason: back }, 'a processing worker rejected the config in force while rolling back');
    throw new Error(`a processing worker rejected the new config: ${error}`);
  }

  /** Sends a config to every worker; the first rejection, if any. */
  private async broadcast(config: EngineConfig): Promise<string | undefined> {
    const seq = this.seq++;
    const errors = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<string | undefined>((resolve) => {
            w.controlAcks.set(seq, resolve);
            w.worker.postMessage({ type: 'controls', seq, config } satisfies ToWorker);
          }),
      ),
    );
    return errors.find((e) => e !== undefined);
  }

  /** A stateful engine's new lists (suppression, reviews): every worker applies them before its next batch. */
  updateState(state: WorkerState): void {
    // Kept, so a replacement worker starts with the latest lists.
    if (this.durable !== undefined) {
      // Points come as changes (added to what the workers hold), the lists whole.
      const points = state.points !== undefined && this.durable.state.points !== undefined ? this.durable.state.points.concat(state.points) : state.points;
      Object.assign(this.durable.state, state, points !== undefined ? { points } : {});
    }
    for (const w of this.workers) w.worker.postMessage({ type: 'state', state } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    const init: WorkerInit = { config: this.config, deadLetterTarget: this.deadLetterTarget, ...(this.durable ? { durable: this.durable } : {}) };
    return new PoolWorker(this.script, init, (w, err) => this.lost(w, err));
  }

  private lost(worker: PoolWorker, err: Error): void {
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    worker.failAll(err);
    if (this.closed) return;
    // The class only: an uncaught error's message may quote the event being processed.
    this.logger.error({ err: { name: err.name } }, 'processing worker lost; starting a new one');
    const replacement = this.spawn();
    replacement.ready.catch((e: unknown) => this.logger.error({ err: { name: (e as Error).name } }, 'replacement worker failed to start'));
    this.workers[index] = replacement;
  }
}

/** All values in one transferable buffer (no per-message copies through postMessage). */
function pack(messages: readonly ProcessInput[]): { bytes: ArrayBuffer; lengths: Int32Array; topics: string | string[] } {
  let total = 0;
  let sameTopic = true;
  const first = messages[0]?.topic ?? '';
  for (const m of messages) {
    if (m.value !== null) total += m.value.length;
    if (m.topic !== first) sameTopic = false;
  }
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool (which must not be transferred).
  const all = Buffer.allocUnsafeSlow(total);
  const lengths = new Int32Array(messages.length);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const value = messages[i]!.value;
    if (value === null) {
      lengths[i] = -1;
    } else {
      value.copy(all, at);
      lengths[i] = value.length;
      at += value.length;
    }
  }
  return { bytes: all.buffer as ArrayBuffer, lengths, topics: sameTopic ? first : messages.map((m) => m.topic) };
}
