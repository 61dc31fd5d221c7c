import { describe, expect, it } from 'vitest';
import { byPath, C, enforce, engineFor, HASHING, track } from './helpers.js';

const detect = byPath({ 'properties.password': C.password, 'properties.emails[]': C.email, 'properties.ip': C.ip });
const event = () => track({ password: 'hunter2', emails: ['a@example.com', 'b@example.com'], ip: '203.0.113.7', plan: 'pro' });

describe('dry-run', () => {
  const engine = engineFor({
    hashing: HASHING,
    policies: [
      { name: 'block-red', match: { classifications: ['red'] }, action: 'block', dryRun: true },
      { name: 'hash-emails', destinations: ['analytics'], match: { categories: ['email'] }, action: 'hash', dryRun: true },
      { name: 'drop-red', match: { classifications: ['red'] }, action: 'drop_event', dryRun: true },
    ],
    destinations: [
      { name: 'analytics', topic: 'out.analytics' },
      { name: 'email_provider', topic: 'out.email', allow: { categories: ['email'], classifications: ['green'], dryRun: true } },
    ],
  });

  it('changes nothing: every output and the event are as without the policies', () => {
    const original = event();
    const subject = event();
    const { result, out } = enforce(engine, subject, detect);

    expect(result.dropped).toBe(false);
    expect(out.analytics).toEqual(original);
    expect(out.email_provider).toEqual(original);
    expect(subject).toEqual(original);
    expect(result.stats).toMatchObject({ blocked: 0, hashed: 0, removed: 0 });
  });

  it('counts what each policy would have done, by policy name and action', () => {
    const { result } = enforce(engine, event(), detect);

    expect([...result.stats.dryRun].sort((a, b) => a.policy.localeCompare(b.policy))).toEqual([
      { policy: 'block-red', action: 'block', count: 1 },
      // drop_event counts events, not leaves.
      { policy: 'destinations.email_provider.allow', action: 'remove', count: 2 },
      { policy: 'drop-red', action: 'drop_event', count: 1 },
      { policy: 'hash-emails', action: 'hash', count: 2 },
    ]);
  });

  it('starts every event from zero', () => {
    enforce(engine, event(), detect);
    const { result } = enforce(engine, track({ plan: 'pro' }), detect);

    expect(result.stats.dryRun).toEqual([]);
  });

  it('runs beside enforcing policies without affecting them', () => {
    const mixed = engineFor({
      policies: [
        { name: 'block-passwords', match: { categories: ['password'] }, action: 'block' },
        { name: 'would-block-ips', match: { categories: ['ip_address'] }, action: 'block', dryRun: true },
      ],
      destinations: [{ name: 'analytics', topic: 'out.analytics' }],
    });
    const { result, out } = enforce(mixed, event(), detect);

    expect(out.analytics!.properties).toEqual({ emails: ['a@example.com', 'b@example.com'], ip: '203.0.113.7', plan: 'pro' });
    expect(result.stats.dryRun).toEqual([{ policy: 'would-block-ips', action: 'block', count: 1 }]);
  });
});
