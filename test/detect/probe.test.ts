import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledClassifier } from '../../src/detect/compile.js';
import { loadClassifierSet } from '../../src/detect/load.js';
import { inCommonSubset, mayBeValid, probeable, scanProbe } from '../../src/detect/probe.js';
import { checkValue } from '../../src/detect/value-check.js';
import { NATIONAL_ID_EXAMPLES, setEventIdRegion } from '../../src/detect/validators/national/index.js';

// The V8 probes spare RE2 calls only where RE2 would answer "not valid": on every built-in
// classifier they must never refuse a value checkValue (RE2) accepts.

describe('which patterns get a V8 probe', () => {
  it('takes the constructs both engines read alike on ASCII', () => {
    expect(inCommonSubset(String.raw`\b(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})\b`)).toBe(true);
    expect(inCommonSubset(String.raw`\+\d{1,3}[\s.\-]?\(?\d{1,4}\)?`)).toBe(true);
  });

  it('refuses what the engines read differently', () => {
    for (const source of [
      String.raw`[\pL\pN]+`,
      String.raw`(?i)abc`,
      String.raw`a.b`,
      String.raw`\x{41}`,
      String.raw`[[:alpha:]]`,
      String.raw`(a)\1`,
      String.raw`[\b]`,
      String.raw`\Qa.b\E`,
      'é+',
      String.raw`(?P<n>x)`,
      String.raw`[]a]`,
    ])
      expect(inCommonSubset(source), source).toBe(false);
  });

  it('reads only ASCII values', () => {
    expect(probeable('4155559493')).toBe(true);
    expect(probeable('4155\u00a0559493')).toBe(false);
  });
});

describe('V8 probes of the built-in classifiers', () => {
  let probed: Array<{ classifier: CompiledClassifier; probe: RegExp[] }> = [];
  beforeAll(async () => {
    const set = await loadClassifierSet();
    probed = set.classifiers.flatMap((classifier) => {
      const probe = classifier.value.scan ? scanProbe(classifier) : null;
      return probe === null ? [] : [{ classifier, probe }];
    });
  });

  it('exist for the digit-shaped ids, phones and cards, not for patterns outside the subset', () => {
    const ids = probed.map((p) => p.classifier.id);
    expect(ids).toEqual(expect.arrayContaining(['national_id_by_value', 'health_number_by_value', 'phone_number', 'credit_card_number', 'us_ssn']));
    // Its pattern uses \pL: RE2 alone.
    expect(ids).not.toContain('email');
  });

  it('never refuse a value RE2 and the validators accept, in any region', () => {
    const alphabet = '0123456789012345678901234567890123456789ABCDEFGHKLMNPRSTXYZabcdef -.:/+()_@\r\t'.split('');
    const noise = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 0, maxLength: 24 });
    // Valid ids, cards and phones inside noise and with one character changed: the edges of each pattern.
    const samples = [...Object.values(NATIONAL_ID_EXAMPLES), '4111 1111 1111 1111', '+44 20 7946 0958', '536-22-8104', '0044 20 7946 0958', '(212) 555-0147'];
    const mutated = fc
      .tuple(fc.constantFrom(...samples), fc.nat(), fc.constantFrom(...alphabet), fc.boolean())
      .map(([s, at, c, change]) => (change ? s.slice(0, at % s.length) + c + s.slice((at % s.length) + 1) : s));
    const value = fc.oneof(
      noise,
      fc.tuple(noise, mutated, noise).map(([a, b, c]) => `${a.slice(0, 4)}${b}${c.slice(0, 4)}`),
    );
    const region = fc.constantFrom(null, 'GB', 'AU', 'CA', 'TH', 'US', 'DE');
    let accepted = 0;
    fc.assert(
      fc.property(value, region, (text, r) => {
        setEventIdRegion(r);
        for (const { classifier, probe } of probed) {
          if (checkValue(classifier, text, 'scan') === 'valid') {
            accepted++;
            expect(mayBeValid(classifier, probe, text), `${classifier.id} ${JSON.stringify(text)}`).toBe(true);
          }
        }
      }),
      { numRuns: 5000 },
    );
    setEventIdRegion(null);
    // The property held on values RE2 accepted, not only on noise.
    expect(accepted).toBeGreaterThan(80);
  });

  it('let through the published examples their validators accept', () => {
    const examples: Record<string, string> = {
      us_ssn: 'ssn 536-22-8104',
      credit_card_number: 'card 4111 1111 1111 1111',
      phone_number: 'call +44 20 7946 0958',
      health_id_by_value: '943 476 5919',
    };
    for (const [id, text] of Object.entries(examples)) {
      const entry = probed.find((p) => p.classifier.id === id)!;
      expect(checkValue(entry.classifier, text, 'scan'), id).toBe('valid');
      expect(mayBeValid(entry.classifier, entry.probe, text), id).toBe(true);
    }
  });
});
