import type { Failure } from '../../events/index.js';
import type { MessageOutcome } from '../processor.js';

/**
 * A batch's outcomes as they cross from a worker to the thread that produces them: every output
 * already encoded to UTF-8 in one transferable buffer (the worker has the spare core; the Kafka
 * thread then only takes views of it), destinations as indexes into a small table. Structured
 * cloning ~2.4 JSON strings per event and encoding them again on the Kafka thread cost more than
 * the whole decode on that side.
 */
export interface PackedOutcomes {
  /** The distinct output documents back to back (an output shared by destinations is written once). */
  bytes: ArrayBuffer;
  /** Per output, four ints: message index, destination index, byte offset, byte length. */
  index: Int32Array;
  destinations: { destination: string; topic: string }[];
  /** Messages for the dead-letter target. Every other message without an output is `null`. */
  failures: { at: number; failure: Failure }[];
  count: number;
}

type Output = { destination: string; topic: string; json: string | Buffer };

export function packOutcomes(outcomes: readonly MessageOutcome[]): PackedOutcomes {
  const destinationIds = new Map<string, number>();
  const destinations: PackedOutcomes['destinations'] = [];
  const failures: PackedOutcomes['failures'] = [];
  let outputs = 0;
  let total = 0;
  let previous: string | Buffer | null = null;
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i];
    if (outcome === null || outcome === undefined) continue;
    if (!Array.isArray(outcome)) {
      failures.push({ at: i, failure: outcome as Failure });
      continue;
    }
    for (const output of outcome as readonly Output[]) {
      outputs++;
      // Destinations that see the same document share one string: count (and later write) it once.
      if (output.json !== previous) total += typeof output.json === 'string' ? Buffer.byteLength(output.json) : output.json.length;
      previous = output.json;
    }
  }
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool (which cannot be transferred).
  const all = Buffer.allocUnsafeSlow(total);
  const index = new Int32Array(outputs * 4);
  let at = 0;
  let k = 0;
  previous = null;
  let previousOffset = 0;
  let previousLength = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i];
    if (!Array.isArray(outcome)) continue;
    for (const output of outcome as readonly Output[]) {
      let d = destinationIds.get(output.destination);
      if (d === undefined) {
        d = destinations.length;
        destinationIds.set(output.destination, d);
        destinations.push({ destination: output.destination, topic: output.topic });
      }
      if (output.json !== previous) {
        previousOffset = at;
        previousLength = typeof output.json === 'string' ? all.write(output.json, at) : output.json.copy(all, at);
        at += previousLength;
        previous = output.json;
      }
      index[k++] = i;
      index[k++] = d;
      index[k++] = previousOffset;
      index[k++] = previousLength;
    }
  }
  return { bytes: all.buffer as ArrayBuffer, index, destinations, failures, count: outcomes.length };
}

/** The receiving side: outcomes whose outputs are views of the one buffer (no copies). */
export function unpackOutcomes(packed: PackedOutcomes): MessageOutcome[] {
  const outcomes: MessageOutcome[] = new Array(packed.count).fill(null);
  for (const { at, failure } of packed.failures) outcomes[at] = failure;
  const all = Buffer.from(packed.bytes);
  const { index, destinations } = packed;
  let current: Output[] | null = null;
  let currentAt = -1;
  for (let k = 0; k < index.length; k += 4) {
    const at = index[k]!;
    if (at !== currentAt) {
      current = [];
      outcomes[at] = current as MessageOutcome & Output[];
      currentAt = at;
    }
    const { destination, topic } = destinations[index[k + 1]!]!;
    const offset = index[k + 2]!;
    current!.push({ destination, topic, json: all.subarray(offset, offset + index[k + 3]!) });
  }
  return outcomes;
}
