import type { DataPointObservation } from '../../src/inventory/store.js';

/** An observation with sensible defaults; override what the test is about. */
export function obs(overrides: Partial<DataPointObservation> & { source: string; path: string }): DataPointObservation {
  const now = new Date().toISOString();
  return {
    event: 'Order Completed',
    category: null,
    dataCategory: null,
    classification: 'green',
    matchedOn: null,
    confidence: 0,
    matcher: null,
    count: 1,
    firstSeen: now,
    lastSeen: now,
    example: null,
    ...overrides,
  };
}

export const email = (source: string, path = 'properties.email', extra: Partial<DataPointObservation> = {}): DataPointObservation =>
  obs({
    source,
    path,
    category: 'email',
    dataCategory: 'user.contact.email',
    classification: 'red',
    matchedOn: 'key+value',
    confidence: 0.95,
    matcher: 'value validator email',
    example: 'j***@example.com',
    ...extra,
  });
