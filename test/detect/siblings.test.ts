import { describe, expect, it } from 'vitest';
import { PathTrie } from '../../src/events/index.js';
import { createDetector, loadClassifierSet } from '../../src/detect/index.js';
import { EventScanner } from '../../src/pipeline/event-scanner.js';

async function detector() {
  return createDetector(await loadClassifierSet());
}

describe('name/value pair objects: the sibling name is the value slot key', () => {
  const pairs = [
    [{ name: 'passport_no', value: 'X1234567' }, 'value', 'passport_number'],
    [{ field: 'email', new: 'someone@example.com', old: 'x' }, 'new', 'email'],
    [{ key: 'ssn', value: '123456789' }, 'value', 'us_ssn'],
    [{ label: 'Date of birth', answer: '1990-04-12' }, 'answer', 'date_of_birth'],
    [{ attribute: 'diagnosis', value: 'asthma' }, 'value', 'health'],
  ] as const;

  it.each(pairs)('%o: the %s slot holds %s', async (object, slot, id) => {
    const d = await detector();
    const node = new PathTrie().resolve(`properties.fields[].${slot}`);
    expect(d.detect(node, (object as Record<string, string>)[slot]!, object as Record<string, unknown>)?.classifier.id).toBe(id);
  });

  it('a pair naming nothing personal leaves the value to its own decision', async () => {
    const d = await detector();
    const node = new PathTrie().resolve('properties.fields[].value');
    expect(d.detect(node, 'blue', { name: 'favourite_colour', value: 'blue' })).toBeNull();
    // The value's own finding stands under a harmless name.
    expect(d.detect(node, 'jane@example.com', { name: 'notes', value: 'jane@example.com' })?.classifier.id).toBe('email');
  });

  it('one path holds many names: each value is judged under its own name', async () => {
    const d = await detector();
    const node = new PathTrie().resolve('properties.fields[].value');
    expect(d.detect(node, 'X1234567', { name: 'passport_no', value: 'X1234567' })?.classifier.id).toBe('passport_number');
    expect(d.detect(node, 'X1234567', { name: 'coupon', value: 'X1234567' })).toBeNull();
  });

  it('key evidence follows the sibling name (fail closed: a passport number that fails its check is still red evidence)', async () => {
    const d = await detector();
    const node = new PathTrie().resolve('properties.fields[].value');
    expect(d.keyEvidence(node, '??', { name: 'passport_no', value: '??' })?.classifier.id).toBe('passport_number');
    expect(d.keyEvidence(node, 'blue', { name: 'colour', value: 'blue' })).toBeNull();
  });

  it('a leaf without a container (callers of the old signature) is judged by its own key', async () => {
    const d = await detector();
    expect(d.detect(new PathTrie().resolve('properties.fields[].value'), 'X1234567')).toBeNull();
  });
});

describe('latitude and longitude of one object are classified alike', () => {
  it('a longitude JSON wrote without decimals (-74.0000 is -74) is precise when its latitude is', async () => {
    const d = await detector();
    const trie = new PathTrie();
    const point = { latitude: 40.7128, longitude: -74 };
    expect(d.detect(trie.resolve('properties.latitude'), 40.7128, point)?.classifier.id).toBe('geo_coordinates');
    expect(d.detect(trie.resolve('properties.longitude'), -74, point)?.classifier.id).toBe('geo_coordinates');
    const other = { lat: 51.5, lng: -0.1278 };
    expect(d.detect(trie.resolve('properties.location.lat'), 51.5, other)?.classifier.id).toBe('geo_coordinates');
  });

  it('a coarse pair (city level) stays unclassified, both alike', async () => {
    const d = await detector();
    const trie = new PathTrie();
    const point = { latitude: 40.7, longitude: -74 };
    expect(d.detect(trie.resolve('properties.latitude'), 40.7, point)).toBeNull();
    expect(d.detect(trie.resolve('properties.longitude'), -74, point)).toBeNull();
  });

  it('a latitude out of range is not made a coordinate by its partner', async () => {
    const d = await detector();
    expect(d.detect(new PathTrie().resolve('properties.lat'), 123, { lat: 123, lng: -74.006 })).toBeNull();
  });
});

describe('through the scanner: form fields, audit trails and vitals reach the inventory', () => {
  it('records the categories the pairs and health keys carry', async () => {
    const scanner = new EventScanner(await detector());
    const outcome = scanner.scanEvent(
      {
        type: 'track',
        event: 'Form Submitted',
        timestamp: '2026-01-02T03:04:05Z',
        properties: {
          fields: [
            { name: 'passport_no', value: 'X1234567' },
            { name: 'colour', value: 'blue' },
          ],
          changes: [{ field: 'email', old: 'a@example.com', new: 'b@example.com' }],
          heart_rate: 72,
          blood_pressure: '120/80',
          location: { latitude: 40.7128, longitude: -74 },
        },
      },
      'web',
    );
    expect(outcome.ok).toBe(true);
    const byPath = new Map(scanner.aggregator.records().map((r) => [r.path, r]));
    expect(byPath.get('properties.fields[].value')?.category).toBe('passport_number');
    expect(byPath.get('properties.changes[].new')?.category).toBe('email');
    expect(byPath.get('properties.heart_rate')?.category).toBe('health_measurement');
    expect(byPath.get('properties.blood_pressure')?.classification).toBe('red');
    expect(byPath.get('properties.location.longitude')?.category).toBe('geo_coordinates');
    expect(byPath.get('properties.location.latitude')?.category).toBe('geo_coordinates');
  });
});

describe('pairs come in lists', () => {
  it('a top-level properties.value beside properties.name is not a pair (Segment: an order value, a product name)', async () => {
    const d = await detector();
    const props = { name: 'ssn', value: '12' };
    expect(d.detect(new PathTrie().resolve('properties.value'), '12', props)).toBeNull();
  });
});
