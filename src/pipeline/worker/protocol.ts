import type { EngineConfig } from '../../config/load.js';
import type { BatchReport } from '../report.js';
import type { RememberedPoint } from '../point-memory.js';
import type { ReviewedPoint } from '../reviewed.js';
import type { TapResult } from '../tap.js';
import type { PackedOutcomes } from './outcomes.js';

/** What a worker needs to keep state for a stateful engine (the database stays in the main thread). */
export interface WorkerDurableInit {
  store: boolean;
  inventory: boolean;
  /** Check the store's suppression list (sent as subject hashes). */
  suppression: boolean;
  /** base64 lookup key: workers hash subject ids themselves (suppression, inventory examples). */
  lookupKey: string;
  state: WorkerState;
}

/** The store's current lists, sent whenever they change; applied between batches. */
export interface WorkerState {
  suppressed?: string[];
  reviews?: ReviewedPoint[];
  /** Classified points for point memory: all at start, then each poll's changes (added, never replaced). */
  points?: RememberedPoint[];
}

/** What a processing worker is started with. */
export interface WorkerInit {
  config: EngineConfig;
  deadLetterTarget?: string;
  durable?: WorkerDurableInit;
}

export type ToWorker =
  | { type: 'controls'; seq: number; config: EngineConfig }
  | { type: 'state'; state: WorkerState }
  | {
      type: 'batch';
      id: number;
      /** One topic for the whole batch (Kafka batches are per partition), or one per message. */
      topics: string | string[];
      /** Every value back to back; `lengths[i]` is -1 for a null value. */
      bytes: ArrayBuffer;
      lengths: Int32Array;
    };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'controls-done'; seq: number; error?: string }
  | { type: 'result'; id: number; outcomes: PackedOutcomes; report: BatchReport; tap?: TapResult }
  /** `message` is set only for errors whose text is known to be safe (no event content). */
  | { type: 'error'; id: number; name: string; message?: string };
