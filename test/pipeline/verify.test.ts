// Verify mode re-scans what leaves for each destination: a value the destination is not approved
// for is counted by destination, category and path, and (as configured) removed from the output
// or the event held on the dead-letter path. Outputs that obey the policy count nothing.
import { describe, expect, it } from 'vitest';
import { PathTrie, type SegmentEvent } from '../../src/events/index.js';
import { emptyReport, leaksOf } from '../../src/pipeline/report.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { EventWalker } from '../../src/pipeline/walker.js';
import { FAIL_CLOSED_POLICY, writeConfig } from './helpers.js';

function withVerify(verify: string): string {
  let text = FAIL_CLOSED_POLICY;
  for (const topic of ['wh', 'an', 'mail']) text = text.replace(`topic: ${topic}`, `topic: ${topic}, verify: ${verify}`);
  return text;
}

async function setup(verify: string) {
  const { config } = await writeConfig(withVerify(verify));
  const controls = (await buildControls(config)).controls;
  const walker = new EventWalker(new PathTrie());
  const report = emptyReport();
  const walk = (properties: Record<string, unknown>) =>
    walker.walk(controls, 'web', { type: 'track', event: 'Payout', userId: 'u1', properties } as SegmentEvent, report);
  return { walk, report };
}

// The first element is a value the detector does not recognise; the second teaches the point
// (an IBAN) only after the first was let through: the window verify closes.
const ACCOUNTS = ['QX77 BANK 0000 1234 99', 'DE89 3704 0044 0532 0130 00'];
// A fresh copy per event: a source-level block removes the IBAN from the event's own array.
const accounts = () => [...ACCOUNTS];

describe('verify mode', () => {
  it('finds no leak in outputs that obey the policy (hashed values, allow-lists, envelope fields)', async () => {
    const { walk, report } = await setup('{ mode: full }');
    const result = walk({
      email: 'ada@example.com',
      phone: '+44 20 7946 0018',
      first_name: 'Ada',
      password: 'hunter2-secret',
      plan: 'pro',
      items: [{ sku: 'A1', qty: 2 }],
    });
    expect(result.ok).toBe(true);
    expect(report.verified.get('warehouse')).toBe(1);
    expect(report.verified.get('analytics')).toBe(1);
    expect(report.verified.get('mailer')).toBe(1);
    expect(leaksOf(report)).toEqual([]);
  });

  it('counts a value that got through by destination, category and path, without the value', async () => {
    const { walk, report } = await setup('{ mode: full, onLeak: report }');
    const result = walk({ accounts: accounts() });
    expect(result.ok).toBe(true);
    const leaks = leaksOf(report);
    expect(leaks).toEqual(
      ['warehouse', 'analytics', 'mailer'].map((destination) => ({
        destination,
        source: 'web',
        event: 'Payout',
        category: 'iban',
        classification: 'red',
        path: 'properties.accounts[]',
        values: 1,
      })),
    );
    expect(JSON.stringify(leaks)).not.toContain('QX77');
    // `report` leaves the output as enforcement wrote it.
    if (result.ok) expect(String(result.outcome.outputs[0]!.json)).toContain(ACCOUNTS[0]);
  });

  it('removes the leaking value from the output with onLeak: drop_field', async () => {
    const { walk, report } = await setup('{ mode: full, onLeak: drop_field }');
    const result = walk({ accounts: accounts(), plan: 'pro' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const output of result.outcome.outputs) {
      const properties = JSON.parse(String(output.json)).properties;
      expect(properties).toEqual({ accounts: [], plan: 'pro' });
    }
    expect(report.leaks.size).toBe(3);
  });

  it('holds the event on the dead-letter path with the reason with onLeak: dead_letter', async () => {
    const { walk } = await setup('{ mode: full, onLeak: dead_letter }');
    const result = walk({ accounts: accounts() });
    expect(result).toMatchObject({ ok: false, failure: { code: 'leak_detected' } });
    if (result.ok) return;
    expect(result.failure.reason).toContain('iban at properties.accounts[]');
    expect(result.failure.reason).not.toContain('QX77');
  });

  it('checks one output in 1/sampleRate when sampled', async () => {
    const { walk, report } = await setup('{ mode: sample, sampleRate: 0.25 }');
    for (let i = 0; i < 20; i++) walk({ plan: 'pro' });
    expect(report.verified.get('warehouse')).toBe(5);
  });
});
