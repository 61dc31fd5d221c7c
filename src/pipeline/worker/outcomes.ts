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
  /**
   * The event store's texts (TapResult.json), two ints each: byte offset and length in `bytes`, or
   * -1, -1 for null. A text that is one of its message's outputs (the same string: the unchanged
   * event, see EnforcementResult.plain) points at that output's bytes: stored and sent from one copy.
   */
  stored: Int32Array;
}

type Output = { destination: string; topic: string; json: string | Buffer };

/** The event store's texts of a batch: `json[k]` belongs to message `indexes[k]` (see TapResult). */
export interface StoredTexts {
  readonly indexes: readonly number[];
  readonly json: readonly (string | Uint8Array | null)[];
}

const NO_STORED: StoredTexts = { indexes: [], json: [] };

/** The output of message `i` whose document is `text` (the same string), or -1. */
function sharedOutput(outcomes: readonly MessageOutcome[], i: number, text: string | Uint8Array): number {
  const outcome = outcomes[i];
  if (!Array.isArray(outcome)) return -1;
  const outputs = outcome as readonly Output[];
  for (let j = 0; j < outputs.length; j++) if (outputs[j]!.json === text) return j;
  return -1;
}

const byteLength = (text: string | Uint8Array) => (typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength);

export function packOutcomes(outcomes: readonly MessageOutcome[], stored: StoredTexts = NO_STORED): PackedOutcomes {
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
  // Per stored text: the output it shares bytes with (index within its message's outputs), or -1.
  const shares = new Int32Array(stored.json.length);
  for (let s = 0; s < stored.json.length; s++) {
    const text = stored.json[s];
    shares[s] = text === null || text === undefined ? -1 : sharedOutput(outcomes, stored.indexes[s]!, text);
    if (text !== null && text !== undefined && shares[s]! < 0) total += byteLength(text);
  }
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool (which cannot be transferred).
  const all = Buffer.allocUnsafeSlow(total);
  const index = new Int32Array(outputs * 4);
  // Per message with outputs: where its first output's four ints start in `index`.
  const firstOutput = stored.json.length > 0 ? new Int32Array(outcomes.length).fill(-1) : null;
  let at = 0;
  let k = 0;
  previous = null;
  let previousOffset = 0;
  let previousLength = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i];
    if (!Array.isArray(outcome)) continue;
    if (firstOutput !== null) firstOutput[i] = k;
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
  const texts = new Int32Array(stored.json.length * 2).fill(-1);
  for (let s = 0; s < stored.json.length; s++) {
    const text = stored.json[s];
    if (text === null || text === undefined) continue;
    if (shares[s]! >= 0) {
      const position = firstOutput![stored.indexes[s]!]! + shares[s]! * 4;
      texts[s * 2] = index[position + 2]!;
      texts[s * 2 + 1] = index[position + 3]!;
      continue;
    }
    const length = typeof text === 'string' ? all.write(text, at) : Buffer.from(text.buffer, text.byteOffset, text.byteLength).copy(all, at);
    texts[s * 2] = at;
    texts[s * 2 + 1] = length;
    at += length;
  }
  return { bytes: all.buffer as ArrayBuffer, index, destinations, failures, count: outcomes.length, stored: texts };
}

/** The event store's texts of a packed batch, as views of its buffer (no copies; see TapResult.json). */
export function unpackStored(packed: PackedOutcomes): (Buffer | null)[] {
  const { stored } = packed;
  const all = Buffer.from(packed.bytes);
  const texts = new Array<Buffer | null>(stored.length / 2);
  for (let s = 0; s < texts.length; s++) {
    const offset = stored[s * 2]!;
    texts[s] = offset < 0 ? null : all.subarray(offset, offset + stored[s * 2 + 1]!);
  }
  return texts;
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
