import type { EngineConfig } from '../../config/engine.js';
import type { MessageOutcome } from '../processor.js';
import type { BatchReport } from '../report.js';

/** What a processing worker is started with. */
export interface WorkerInit {
  config: EngineConfig;
  deadLetterTarget?: string;
}

export type ToWorker =
  | { type: 'controls'; seq: number; config: EngineConfig }
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
  | { type: 'result'; id: number; outcomes: MessageOutcome[]; report: BatchReport }
  /** `message` is set only for errors whose text is known to be safe (no event content). */
  | { type: 'error'; id: number; name: string; message?: string };
