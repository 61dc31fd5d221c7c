// A processing worker: decode → suppression → detect + enforce for whole batches, off the thread
// that talks to Kafka. Started by WorkerPool; holds its own detector and policy engine, rebuilt
// from the config the pool sends on a hot reload (between batches: all work is queued).
import { parentPort, workerData } from 'node:worker_threads';
import { topicSources, type EngineConfig } from '../../config/load.js';
import { ConfigError } from '../../config/errors.js';
import type { Controls } from '../controls.js';
import { decoderFor } from '../../config/decoder.js';
import { SubjectHasher } from '../../storage/crypto/lookup.js';
import { LocalProcessor, type ProcessingExtras, type ProcessInput } from '../processor.js';
import { PointMemory } from '../point-memory.js';
import { ReviewedClassifications } from '../reviewed.js';
import { buildControls } from '../build-controls.js';
import { HashedSuppression } from '../../storage/suppression/check.js';
import { BatchTap } from '../tap.js';
import { packOutcomes } from './outcomes.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerState } from './protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

let controls: Controls;
let processor: LocalProcessor;
let queue: Promise<void> = Promise.resolve();

// A stateful engine's lists live in the main thread (it owns the database) and arrive as `state`
// messages, queued like batches: a change applies between two batches.
let reviews: ReviewedClassifications | null = null;
let suppression: HashedSuppression | null = null;
const memory = new PointMemory();
const extras = ((): ProcessingExtras => {
  const durable = init.durable;
  if (durable === undefined) return {};
  const hasher = new SubjectHasher(Buffer.from(durable.lookupKey, 'base64'));
  if (durable.suppression) suppression = new HashedSuppression(hasher);
  applyState(durable.state);
  const tap = new BatchTap({ store: durable.store, inventory: durable.inventory, hasher, reviews: () => reviews });
  return { suppression, tap, memory };
})();

function applyState(state: WorkerState): void {
  if (state.suppressed !== undefined) suppression?.replace(state.suppressed);
  if (state.reviews !== undefined) reviews = new ReviewedClassifications(state.reviews);
  if (state.points !== undefined) memory.seed(state.points);
}

async function configure(config: EngineConfig): Promise<void> {
  const next = (await buildControls(config, { deadLetterTarget: init.deadLetterTarget })).controls;
  const sources = topicSources(config);
  // The processor keeps its path trie (detection caches are per detector generation anyway).
  processor ??= new LocalProcessor(decoderFor(config), (topic) => sources.get(topic) ?? config.source, undefined, null, extras);
  controls = next;
}

function unpack(message: Extract<ToWorker, { type: 'batch' }>): ProcessInput[] {
  const inputs: ProcessInput[] = new Array(message.lengths.length);
  const all = Buffer.from(message.bytes);
  let at = 0;
  for (let i = 0; i < message.lengths.length; i++) {
    const length = message.lengths[i]!;
    const topic = typeof message.topics === 'string' ? message.topics : message.topics[i]!;
    if (length < 0) {
      inputs[i] = { topic, value: null };
    } else {
      inputs[i] = { topic, value: all.subarray(at, at + length) };
      at += length;
    }
  }
  return inputs;
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'state') {
    applyState(message.state);
    return;
  }
  if (message.type === 'controls') {
    try {
      await configure(message.config);
      post({ type: 'controls-done', seq: message.seq });
    } catch (err) {
      post({ type: 'controls-done', seq: message.seq, error: err instanceof ConfigError ? err.message : (err as Error).name });
    }
    return;
  }
  try {
    const result = await processor.process(controls, unpack(message));
    const tap = result!.tap;
    // The stored texts travel as bytes in the outcome buffer (most are an output's own bytes), not cloned strings.
    const outcomes = packOutcomes(result!.outcomes, tap);
    post({ type: 'result', id: message.id, outcomes, report: result!.report, ...(tap ? { tap: { ...tap, json: [] } } : {}) }, [
      outcomes.bytes,
      outcomes.index.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    // Only the error's class crosses over: its message might quote event content.
    const name = err instanceof Error ? err.name : typeof err;
    const safe = err instanceof Error && /^schema registry unavailable/.test(err.message) ? err.message : undefined;
    post({ type: 'error', id: message.id, name, message: safe });
  }
}

configure(init.config).then(
  () => {
    port.on('message', (message: ToWorker) => {
      queue = queue.then(() => handle(message));
    });
    post({ type: 'ready' });
  },
  (err: unknown) => post({ type: 'init-error', message: err instanceof ConfigError ? err.message : (err as Error).name }),
);
