import { PathTrie } from '../events/index.js';
import type { Controls, PolicyOutcome } from './controls.js';
import type { Failure } from '../events/index.js';
import type { EventDecoder } from '../events/index.js';
import { bump, emptyReport, type BatchReport } from './report.js';
import { PointMemory } from './point-memory.js';
import type { SuppressionCheck } from '../storage/suppression/check.js';
import type { BatchTap, TapResult } from './tap.js';
import { EventWalker, type DataPointTally } from './walker.js';

/**
 * What became of one input message:
 *   - `null`: written nowhere on purpose (suppressed, dropped by a policy, no destination);
 *   - a Failure: goes to the dead-letter target;
 *   - outputs: one per destination that receives it.
 * Plain data, so a worker thread can hand it back.
 */
export type MessageOutcome = null | Failure | PolicyOutcome['outputs'];

export interface ProcessedBatch {
  outcomes: MessageOutcome[];
  report: BatchReport;
  /** Events to store and inventory observations, when the engine keeps state (see BatchTap). */
  tap?: TapResult;
}

/** What a stateful engine adds to processing: store-backed suppression and the walk tap. */
export interface ProcessingExtras {
  /** Checked after the config's suppression list (e.g. the store's SuppressionList.forEvents). */
  suppression?: SuppressionCheck | null;
  tap?: BatchTap | null;
  /** Point memory seeded from the shared inventory; without it the engine learns on its own, in memory. */
  memory?: PointMemory | null;
  /** Time between heartbeat/staleness checkpoints (default CHECK_MS). */
  checkpointMs?: number;
}

/** The part of an input message processing needs (keys and headers stay with the loop). */
export interface ProcessInput {
  topic: string;
  value: Buffer | null;
}

/** Turns a batch of raw messages into outcomes: in this thread, or in worker threads. */
export interface BatchProcessor {
  process(controls: Controls, messages: readonly ProcessInput[], checkpoint?: (i: number) => Promise<boolean>): Promise<ProcessedBatch | null>;
  close?(): Promise<void>;
}

/**
 * Heartbeat/staleness checkpoints: the clock is read every CHECK_EVERY messages, and a checkpoint
 * made when CHECK_MS has passed — by time, since a message may be slow (a schema fetched from the
 * registry) and a member silent past its session timeout loses its partitions.
 */
export const CHECK_EVERY = 64;
const CHECK_MS = 1_000;

/** Decode → suppression → detect + enforce in one walk, in the calling thread. */
export class LocalProcessor implements BatchProcessor {
  private readonly walker: EventWalker;
  private readonly suppression: SuppressionCheck | null;
  private readonly tap: BatchTap | null;
  private readonly checkpointMs: number;

  constructor(
    private readonly decoder: EventDecoder,
    private readonly sourceName: (topic: string) => string,
    trie: PathTrie = new PathTrie(),
    tally: DataPointTally | null = null,
    extras: ProcessingExtras = {},
  ) {
    this.suppression = extras.suppression ?? null;
    this.tap = extras.tap ?? null;
    this.checkpointMs = extras.checkpointMs ?? CHECK_MS;
    this.walker = new EventWalker(trie, tally, this.tap, extras.memory ?? new PointMemory());
  }

  /** Resolves null when `checkpoint` says to abandon the batch (a rebalance took it away). */
  async process(controls: Controls, messages: readonly ProcessInput[], checkpoint?: (i: number) => Promise<boolean>): Promise<ProcessedBatch | null> {
    const report = emptyReport();
    const outcomes: MessageOutcome[] = new Array(messages.length);
    const tap = this.tap;
    const collected = tap?.startBatch() ?? null;
    let lastTopic: string | null = null;
    let lastCheck = performance.now();
    let source = '';
    for (let i = 0; i < messages.length; i++) {
      if (checkpoint && i > 0 && i % CHECK_EVERY === 0 && performance.now() - lastCheck >= this.checkpointMs) {
        if (!(await checkpoint(i))) return null;
        lastCheck = performance.now();
      }
      const message = messages[i]!;
      report.eventsIn++;
      let decoded = this.decoder.decode(message as Parameters<EventDecoder['decode']>[0], controls.limits);
      if (decoded instanceof Promise) decoded = await decoded;
      if (!decoded.ok) {
        bump(report.deadLettered, decoded.code);
        outcomes[i] = { code: decoded.code, reason: decoded.reason };
        continue;
      }
      const event = decoded.event;
      if (controls.suppression.isSuppressed(event) || this.suppression?.isSuppressed(event)) {
        bump(report.dropped, 'suppressed');
        outcomes[i] = null;
        continue;
      }
      if (message.topic !== lastTopic) {
        lastTopic = message.topic;
        source = this.sourceName(message.topic);
      }
      // The walk is synchronous: no other batch's walk can come between `use` and its end.
      if (collected !== null) tap!.use(collected);
      const walked = this.walker.walk(controls, source, event, report);
      if (!walked.ok) {
        bump(report.deadLettered, walked.failure.code);
        outcomes[i] = walked.failure;
        continue;
      }
      const outcome = walked.outcome;
      if (outcome.stats !== undefined && controls.account) controls.account(outcome.stats, report);
      if (outcome.dropped !== false) {
        bump(report.dropped, 'policy');
        bump(report.droppedByPolicy, outcome.dropped.policy);
        outcomes[i] = null;
      } else {
        // Stored whether or not a destination takes it (consent gates destinations, not storage).
        if (collected !== null) tap!.keep(collected, i, event, outcome.plain);
        if (outcome.outputs.length === 0) {
          bump(report.dropped, 'no_destination');
          outcomes[i] = null;
        } else {
          for (const output of outcome.outputs) bump(report.out, output.destination);
          outcomes[i] = outcome.outputs;
        }
      }
    }
    return collected === null ? { outcomes, report } : { outcomes, report, tap: tap!.finishBatch(collected) };
  }
}
