import { describe, expect, it } from 'vitest';
import { byPath, byValue, C, enforce, engineFor, HASHING, track } from './helpers.js';

const destinations = [
  { name: 'warehouse', topic: 'out.warehouse' },
  { name: 'analytics', topic: 'out.analytics' },
];

describe('block at the source', () => {
  const engine = engineFor({
    policies: [{ name: 'block-credentials', match: { classifications: ['red'] }, action: 'block' }],
    destinations,
  });

  it('removes the field from every output and from the event itself (storage must not see it)', () => {
    const event = track({ password: 'hunter2', plan: 'pro' });
    const { result, out } = enforce(engine, event, byPath({ 'properties.password': C.password }));

    expect(result.dropped).toBe(false);
    expect(result.outputs.map((o) => o.destination)).toEqual(['warehouse', 'analytics']);
    for (const output of result.outputs) expect(output.json).not.toContain('hunter2');
    expect(out.warehouse!.properties).toEqual({ plan: 'pro' });
    expect(out.analytics!.properties).toEqual({ plan: 'pro' });
    expect(event.properties).toEqual({ plan: 'pro' });
    expect(result.stats.blocked).toBe(1);
  });

  it('removes nested fields and leaves their siblings', () => {
    const event = track({ payment: { card: { number: '4111111111111111', brand: 'visa' } } });
    const { out } = enforce(engine, event, byPath({ 'properties.payment.card.number': C.card }));

    expect(out.warehouse!.properties).toEqual({ payment: { card: { brand: 'visa' } } });
  });

  it('removes blocked array elements (not left as null) and keeps the others in order', () => {
    const cards = new Set(['4111111111111111', '4242424242424242']);
    const event = track({ contacts: ['4111111111111111', 'a@example.com', '4242424242424242', 'b@example.com'] });
    const { out } = enforce(
      engine,
      event,
      byValue((v) => (cards.has(v as string) ? C.card : undefined)),
    );

    expect(out.analytics!.properties.contacts).toEqual(['a@example.com', 'b@example.com']);
    expect(event.properties!.contacts).toEqual(['a@example.com', 'b@example.com']);
  });

  it('applies inside arrays of objects', () => {
    const event = track({
      products: [
        { sku: 'A-1', secret: 'x' },
        { sku: 'B-2', secret: 'y' },
      ],
    });
    const { out } = enforce(engine, event, byPath({ 'properties.products[].secret': C.password }));

    expect(out.warehouse!.properties.products).toEqual([{ sku: 'A-1' }, { sku: 'B-2' }]);
  });
});

describe('source-level blocks combined with destination rules on the same array', () => {
  it('hashes the right elements after blocked ones were removed before them', () => {
    const engine = engineFor({
      hashing: HASHING,
      policies: [
        { name: 'block-cards', match: { categories: ['credit_card_number'] }, action: 'block' },
        { name: 'hash-emails', destinations: ['analytics'], match: { categories: ['email'] }, action: 'hash' },
      ],
      destinations,
    });
    const event = track({ contacts: ['4111111111111111', 'a@example.com', '4242424242424242', 'b@example.com'] });
    const detect = byValue((v) => (String(v).includes('@') ? C.email : C.card));
    const { out } = enforce(engine, event, detect);

    expect(out.analytics!.properties.contacts).toEqual([engine.pseudonymize('a@example.com'), engine.pseudonymize('b@example.com')]);
    expect(out.warehouse!.properties.contacts).toEqual(['a@example.com', 'b@example.com']);
    expect(event.properties!.contacts).toEqual(['a@example.com', 'b@example.com']);
  });
});

describe('destination-level rules leave the caller’s event unchanged', () => {
  it('restores values, array elements and key order after producing each output', () => {
    const engine = engineFor({
      hashing: HASHING,
      policies: [
        { name: 'no-phones-in-analytics', destinations: ['analytics'], match: { categories: ['phone_number'] }, action: 'block' },
        { name: 'hash-emails', destinations: ['analytics'], match: { categories: ['email'] }, action: 'hash' },
      ],
      destinations,
    });
    const event = track({ phone: '+14155550100', email: 'a@example.com', phones: ['+14155550100', 'n/a', '+14155550101'], zip: 94107 });
    const before = JSON.stringify(event);
    const detect = byValue((value, path) => (path === 'properties.email' ? C.email : String(value).startsWith('+1') ? C.phone : undefined));
    const { out } = enforce(engine, event, detect);

    expect(out.analytics!.properties).toEqual({ email: engine.pseudonymize('a@example.com'), phones: ['n/a'], zip: 94107 });
    expect(JSON.stringify(event)).toBe(before);
  });
});

describe('drop_event', () => {
  it('at the source: the event goes nowhere, counted with the policy name', () => {
    const engine = engineFor({
      policies: [{ name: 'no-card-events', match: { categories: ['credit_card_number'] }, action: 'drop_event' }],
      destinations,
    });
    const { result } = enforce(engine, track({ card: '4111111111111111' }), byPath({ 'properties.card': C.card }));

    expect(result.dropped).toEqual({ policy: 'no-card-events' });
    expect(result.outputs).toEqual([]);
  });

  it('still removes source-blocked fields from a dropped event (it may be stored or dead-lettered)', () => {
    const engine = engineFor({
      policies: [
        { name: 'block-passwords', match: { categories: ['password'] }, action: 'block' },
        { name: 'no-card-events', match: { categories: ['credit_card_number'] }, action: 'drop_event' },
      ],
      destinations,
    });
    const event = track({ card: '4111111111111111', password: 'hunter2' });
    const { result } = enforce(engine, event, byPath({ 'properties.card': C.card, 'properties.password': C.password }));

    expect(result.dropped).toEqual({ policy: 'no-card-events' });
    expect(event.properties).toEqual({ card: '4111111111111111' });
  });

  it('destination-scoped: only that destination is skipped', () => {
    const engine = engineFor({
      policies: [{ name: 'no-cards-in-analytics', destinations: ['analytics'], match: { categories: ['credit_card_number'] }, action: 'drop_event' }],
      destinations,
    });
    const { result } = enforce(engine, track({ card: '4111111111111111' }), byPath({ 'properties.card': C.card }));

    expect(result.dropped).toBe(false);
    expect(result.outputs.map((o) => o.destination)).toEqual(['warehouse']);
    expect(result.stats.skipped).toEqual([{ destination: 'analytics', reason: 'policy', policy: 'no-cards-in-analytics' }]);
  });

  it('only for the sources it names', () => {
    const engine = engineFor({
      policies: [{ name: 'no-cards-from-web', sources: ['web'], match: { categories: ['credit_card_number'] }, action: 'drop_event' }],
      destinations,
    });
    const detect = byPath({ 'properties.card': C.card });

    expect(enforce(engine, track({ card: '4111111111111111' }), detect, 'web').result.dropped).toEqual({ policy: 'no-cards-from-web' });
    expect(enforce(engine, track({ card: '4111111111111111' }), detect, 'backend').result.dropped).toBe(false);
  });
});
