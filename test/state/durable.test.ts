import { describe, expect, it } from 'vitest';
import { arrivalTime } from '../../src/state/durable.js';

// Erasure drops events that arrived before it (see test/storage/erasure-race.test.ts); this is
// how the stateful engine dates an event's arrival.
describe('when an event entered the pipeline', () => {
  const receivedAt = Date.parse('2026-05-01T12:00:00Z');

  it('is the Kafka record timestamp when the record waited in its topic', () => {
    expect(arrivalTime({ timestamp: String(receivedAt - 60_000) }, receivedAt)).toBe(receivedAt - 60_000);
  });

  it('is never after the batch reached the engine (a producer clock running ahead)', () => {
    expect(arrivalTime({ timestamp: String(receivedAt + 3_600_000) }, receivedAt)).toBe(receivedAt);
  });

  it('is the batch arrival when the record has no usable timestamp', () => {
    for (const timestamp of ['', '-1', '0', 'not a number']) expect(arrivalTime({ timestamp }, receivedAt)).toBe(receivedAt);
  });
});
