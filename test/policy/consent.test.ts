import { describe, expect, it } from 'vitest';
import type { PolicyConfigInput } from '../../src/policy/index.js';
import { byPath, C, enforce, engineFor, HASHING, track } from './helpers.js';

const destinations: NonNullable<PolicyConfigInput['destinations']> = [
  { name: 'warehouse', topic: 'out.warehouse' },
  { name: 'advertising', topic: 'out.ads', consent: { categories: ['Advertising'], sale: true } },
  { name: 'analytics', topic: 'out.analytics', consent: { categories: ['Analytics'] } },
];
const engine = engineFor({ destinations });
const receivers = (context: Record<string, unknown>, e = engine) =>
  enforce(e, track({ plan: 'pro' }, context), () => null).result.outputs.map((o) => o.destination);

describe('consent categories', () => {
  it('skips a destination whose consent category is explicitly false', () => {
    const { result } = enforce(engine, track({ plan: 'pro' }, { consent: { categoryPreferences: { Advertising: false, Analytics: true } } }), () => null);

    expect(result.outputs.map((o) => o.destination)).toEqual(['warehouse', 'analytics']);
    expect(result.stats.skipped).toEqual([{ destination: 'advertising', reason: 'consent' }]);
  });

  it('treats a missing preference as allowed by default', () => {
    expect(receivers({ consent: { categoryPreferences: { Analytics: true } } })).toEqual(['warehouse', 'advertising', 'analytics']);
    expect(receivers({})).toEqual(['warehouse', 'advertising', 'analytics']);
  });

  it('treats a missing preference as denied with consentDefault: deny', () => {
    const strict = engineFor({ destinations, consentDefault: 'deny' });

    expect(receivers({ consent: { categoryPreferences: { Analytics: true } } }, strict)).toEqual(['warehouse', 'analytics']);
  });

  it('needs every category of a destination', () => {
    const both = engineFor({ destinations: [{ name: 'cdp', topic: 'out.cdp', consent: { categories: ['Analytics', 'Personalization'] } }] });

    expect(receivers({ consent: { categoryPreferences: { Analytics: true, Personalization: false } } }, both)).toEqual([]);
  });
});

describe('do-not-sell and GPC', () => {
  it.each([
    ['context.consent.doNotSell', { consent: { doNotSell: true } }],
    ['context.privacy.doNotSell', { privacy: { doNotSell: true } }],
    ['context.consent.gpc', { consent: { gpc: true } }],
    ['context.gpc', { gpc: true }],
  ])('%s skips sale destinations only', (_signal, context) => {
    const { result } = enforce(engine, track({ plan: 'pro' }, context), () => null);

    expect(result.outputs.map((o) => o.destination)).toEqual(['warehouse', 'analytics']);
    expect(result.stats.skipped).toEqual([{ destination: 'advertising', reason: 'do_not_sell' }]);
  });

  it('ignores an explicit false', () => {
    expect(receivers({ gpc: false, consent: { doNotSell: false } })).toEqual(['warehouse', 'advertising', 'analytics']);
  });

  it('reads 0 as a refusal and 1 as consent, like the opt-out flags', () => {
    expect(receivers({ consent: { categoryPreferences: { Advertising: 0, Analytics: '0' } } })).toEqual(['warehouse']);
    const strict = engineFor({ destinations, consentDefault: 'deny' });
    expect(receivers({ consent: { categoryPreferences: { Advertising: 1, Analytics: '1' } } }, strict)).toEqual(['warehouse', 'advertising', 'analytics']);
  });
});

describe('consent signals themselves', () => {
  it('reach the destinations unchanged, even under policies that would match them', () => {
    const strict = engineFor({
      hashing: HASHING,
      policies: [
        { name: 'block-context', match: { paths: ['context'] }, action: 'block' },
        { name: 'hash-green', match: { classifications: ['green'] }, action: 'hash' },
      ],
      destinations: [...destinations, { name: 'email_provider', topic: 'out.email', allow: { categories: ['email'] } }],
    });
    const consent = { categoryPreferences: { Advertising: true, Analytics: false }, doNotSell: false };
    const event = track({ plan: 'pro' }, { consent, privacy: { doNotSell: false }, gpc: false, ip: '203.0.113.7' });
    // Even a (mistaken) detection on a signal does not touch it.
    const { out } = enforce(strict, event, byPath({ 'context.consent.categoryPreferences.Advertising': C.card, 'context.ip': C.ip }));

    expect(Object.keys(out)).toEqual(['warehouse', 'advertising', 'email_provider']);
    for (const output of Object.values(out)) {
      expect(output.context).toEqual({ consent, privacy: { doNotSell: false }, gpc: false });
    }
  });

  it('are only the signal fields: anything else under context.consent, or an array in a signal, is controlled', () => {
    const strict = engineFor({ policies: [{ name: 'no-secrets', match: { categories: ['email', 'credit_card_number'] }, action: 'block' }], destinations });
    const event = track({ plan: 'pro' }, { consent: { categoryPreferences: { Advertising: true }, email: 'jane@example.com' }, gpc: ['4111111111111111'] });
    const { out } = enforce(strict, event, byPath({ 'context.consent.email': C.email, 'context.gpc[]': C.card }));

    for (const output of Object.values(out)) {
      expect(output.context.consent).toEqual({ categoryPreferences: { Advertising: true } });
      expect(output.context.gpc).toEqual([]);
    }
  });
});
