import { describe, expect, it } from 'vitest';
import type { PolicyConfigInput } from '../../src/policy/index.js';
import { byPath, C, enforce, engineFor, HASHING, track } from './helpers.js';

const destinations: NonNullable<PolicyConfigInput['destinations']> = [
  { name: 'email_provider', topic: 'out.email', allow: { categories: ['email', 'person_name'], classifications: ['green'] } },
  { name: 'analytics', topic: 'out.analytics', allow: { classifications: ['green', 'yellow'] } },
  { name: 'ads', topic: 'out.ads' },
];

const customer = () => track({ email: 'jane@example.com', name: 'Jane Roe', ip: '203.0.113.7', card: '4111111111111111', country: 'US', plan: 'pro' });
const detect = byPath({
  'properties.email': C.email,
  'properties.name': C.name,
  'properties.ip': C.ip,
  'properties.card': C.card,
  'properties.country': C.country,
});

describe('allow-list routing', () => {
  it('sends each destination only the fields it is approved for', () => {
    const { out, result } = enforce(engineFor({ destinations }), customer(), detect);

    expect(out.email_provider!.properties).toEqual({ email: 'jane@example.com', name: 'Jane Roe', country: 'US', plan: 'pro' });
    expect(out.analytics!.properties).toEqual({ email: 'jane@example.com', name: 'Jane Roe', ip: '203.0.113.7', country: 'US', plan: 'pro' });
    // No allow-list: everything the source-level policies leave.
    expect(out.ads!.properties).toEqual(customer().properties);
    expect(result.stats.removed).toBe(3);
  });

  it('hands back the unchanged text it sent a destination, the same string, for the event store to reuse', () => {
    const engine = engineFor({ destinations, policies: [{ name: 'no-cards', match: { categories: ['credit_card_number'] }, action: 'block' }] });
    const { result } = enforce(engine, customer(), detect);

    const ads = result.outputs.find((o) => o.destination === 'ads')!;
    // `plain` is the event after source-level blocks: the card is gone from it too.
    expect(result.plain).toBe(ads.json);
    expect(JSON.parse(result.plain!).properties).not.toHaveProperty('card');
    // Every destination rewrites its output: nothing serialized equals the event, so there is none.
    const rewritten = engineFor({ destinations: destinations.slice(0, 2) });
    expect(enforce(rewritten, customer(), detect).result.plain).toBeUndefined();
  });

  it('without `green`, removes unclassified fields too but keeps the envelope consumers need', () => {
    const engine = engineFor({ destinations: [{ name: 'crm', topic: 'out.crm', allow: { categories: ['email'] } }] });
    const { out } = enforce(engine, customer(), detect);

    expect(out.crm).toEqual({ type: 'track', event: 'Order Completed', messageId: 'm-1', properties: { email: 'jane@example.com' } });
  });

  it('can approve exact paths', () => {
    const engine = engineFor({ destinations: [{ name: 'fraud', topic: 'out.fraud', allow: { classifications: ['green'], paths: ['properties.ip'] } }] });

    expect(enforce(engine, customer(), detect).out.fraud!.properties).toEqual({ ip: '203.0.113.7', country: 'US', plan: 'pro' });
  });
});

describe('selectors', () => {
  const event = () =>
    track({
      email: 'jane@example.com',
      billing: { email: 'billing@example.com' },
      address: { street: '1 Main St', city: 'Springfield' },
      phones: ['+14155550100'],
    });
  const detect = byPath({ 'properties.email': C.email, 'properties.billing.email': C.email, 'properties.phones[]': C.phone });

  it('an exact path selects that path only, not the same category elsewhere', () => {
    const engine = engineFor({ policies: [{ name: 'no-billing-email', match: { paths: ['properties.billing.email'] }, action: 'block' }], destinations });

    expect(enforce(engine, event(), detect).out.ads!.properties).toMatchObject({ email: 'jane@example.com', billing: {} });
  });

  it('a path selects everything below it', () => {
    const engine = engineFor({ policies: [{ name: 'no-address', match: { paths: ['properties.address'] }, action: 'block' }], destinations });

    expect(enforce(engine, event(), detect).out.ads!.properties.address).toEqual({});
  });

  it('a category selects that classifier wherever it appears, arrays included', () => {
    const engine = engineFor({ hashing: HASHING, policies: [{ name: 'hash-phones', match: { categories: ['phone_number'] }, action: 'hash' }], destinations });

    expect(enforce(engine, event(), detect).out.ads!.properties.phones).toEqual([engine.pseudonymize('+14155550100')]);
  });
});

describe('`allow` exceptions', () => {
  it('override a broader category or classification match', () => {
    const engine = engineFor({
      policies: [
        { name: 'block-contact', match: { classifications: ['yellow'] }, action: 'block' },
        { name: 'keep-ip', match: { categories: ['ip_address'] }, action: 'allow' },
        { name: 'block-emails', match: { categories: ['email'] }, action: 'block' },
        { name: 'keep-support-email', match: { paths: ['properties.support_email'] }, action: 'allow' },
      ],
      destinations: [{ name: 'ads', topic: 'out.ads' }],
    });
    const event = track({ ip: '203.0.113.7', name: 'Jane Roe', email: 'jane@example.com', support_email: 'help@example.com' });
    const { out } = enforce(
      engine,
      event,
      byPath({ 'properties.ip': C.ip, 'properties.name': C.name, 'properties.email': C.email, 'properties.support_email': C.email }),
    );

    expect(out.ads!.properties).toEqual({ ip: '203.0.113.7', support_email: 'help@example.com' });
  });

  it('lose a tie: the same selector blocking and allowing fails closed', () => {
    const engine = engineFor({
      policies: [
        { name: 'allow-emails', match: { categories: ['email'] }, action: 'allow' },
        { name: 'block-emails', match: { categories: ['email'] }, action: 'block' },
      ],
      destinations,
    });

    expect(enforce(engine, customer(), detect).out.ads!.properties.email).toBeUndefined();
  });

  it('for named sources beat a wildcard policy of the same kind', () => {
    const engine = engineFor({
      policies: [
        { name: 'block-red', match: { classifications: ['red'] }, action: 'block' },
        { name: 'vault-keeps-red', sources: ['vault'], match: { classifications: ['red'] }, action: 'allow' },
      ],
      destinations: [{ name: 'ads', topic: 'out.ads' }],
    });

    expect(enforce(engine, customer(), detect, 'vault').out.ads!.properties.card).toBe('4111111111111111');
    expect(enforce(engine, customer(), detect, 'web').out.ads!.properties.card).toBeUndefined();
  });

  it('at the source do not open a destination allow-list; a destination-scoped one does', () => {
    const engine = engineFor({
      policies: [
        { name: 'block-yellow', match: { classifications: ['yellow'] }, action: 'block' },
        { name: 'keep-ip', match: { categories: ['ip_address'] }, action: 'allow' },
        { name: 'email-provider-gets-ip', destinations: ['email_provider'], match: { paths: ['properties.ip'] }, action: 'allow' },
      ],
      destinations,
    });
    const { out } = enforce(engine, customer(), detect);

    expect(out.email_provider!.properties.ip).toBe('203.0.113.7');
    expect(out.analytics!.properties).toEqual({ ip: '203.0.113.7', country: 'US', plan: 'pro' });
  });
});

describe('precedence per destination: block > hash > allow-list removal', () => {
  it('block beats hash', () => {
    const engine = engineFor({
      hashing: HASHING,
      policies: [
        { name: 'hash-emails', destinations: ['analytics'], match: { categories: ['email'] }, action: 'hash' },
        { name: 'block-emails', destinations: ['analytics'], match: { categories: ['email'] }, action: 'block' },
      ],
      destinations,
    });
    const { out } = enforce(engine, customer(), detect);

    expect(out.analytics!.properties.email).toBeUndefined();
    expect(out.ads!.properties.email).toBe('jane@example.com');
  });

  it('a destination-scoped hash sends the pseudonym where the allow-list would remove the field', () => {
    const engine = engineFor({
      hashing: HASHING,
      policies: [{ name: 'hash-ip-for-email', destinations: ['email_provider'], match: { categories: ['ip_address'] }, action: 'hash' }],
      destinations,
    });
    const { out } = enforce(engine, customer(), detect);

    expect(out.email_provider!.properties.ip).toBe(engine.pseudonymize('203.0.113.7'));
    expect(out.analytics!.properties.ip).toBe('203.0.113.7');
  });

  it('a source-level hash reaches every destination, still subject to allow-lists', () => {
    const engine = engineFor({ hashing: HASHING, policies: [{ name: 'hash-ips', match: { categories: ['ip_address'] }, action: 'hash' }], destinations });
    const { out, result } = enforce(engine, customer(), detect);
    const pseudonym = engine.pseudonymize('203.0.113.7');

    expect(out.email_provider!.properties.ip).toBeUndefined();
    expect(out.analytics!.properties.ip).toBe(pseudonym);
    expect(out.ads!.properties.ip).toBe(pseudonym);
    expect(result.stats.hashed).toBe(2);
  });
});

describe('what each policy did', () => {
  it('counts blocked, hashed and removed leaves under the policy or allow-list that caused them', () => {
    const engine = engineFor({
      hashing: HASHING,
      policies: [
        { name: 'no-cards', match: { categories: ['credit_card_number'] }, action: 'block' },
        { name: 'hash-ips', match: { categories: ['ip_address'] }, action: 'hash' },
        { name: 'no-email-for-ads', destinations: ['ads'], match: { categories: ['email'] }, action: 'block' },
      ],
      destinations,
    });
    const { result } = enforce(engine, customer(), detect);
    const applied = Object.fromEntries(result.stats.applied.map((a) => [`${a.policy}/${a.action}`, a.count]));

    expect(applied).toEqual({
      // Once, at the source: no destination sees the card.
      'no-cards/block': 1,
      // In analytics and ads (the email provider's allow-list removes the ip before any hashing shows).
      'hash-ips/hash': 2,
      'no-email-for-ads/block': 1,
      // email_provider: ip (yellow, not approved); analytics approves green and yellow.
      'destinations.email_provider.allow/remove': 1,
    });
    // The totals agree with the attribution.
    expect(result.stats.blocked).toBe(2);
    expect(result.stats.hashed).toBe(2);
    expect(result.stats.removed).toBe(1);
  });
});
