import { describe, expect, it } from 'vitest';
import { eventRegion, parseRegion } from '../../src/detect/index.js';
import { otherEventRegions } from '../../src/detect/region-hint.js';
import { builtinDetector } from './helpers.js';

describe('eventRegion', () => {
  it('reads context.location.country first, as a code or a common name', () => {
    expect(eventRegion({ context: { location: { country: 'TR' }, locale: 'en-US' } })).toBe('TR');
    expect(eventRegion({ context: { location: { country: 'Philippines' } } })).toBe('PH');
    expect(eventRegion({ context: { location: { country: 'uk' } } })).toBe('GB');
  });
  it('then the locale region subtag', () => {
    expect(eventRegion({ context: { locale: 'tr-TR' } })).toBe('TR');
    expect(eventRegion({ context: { locale: 'he_IL' } })).toBe('IL');
    expect(eventRegion({ context: { locale: 'zh-Hant-TW' } })).toBe('TW');
    expect(eventRegion({ context: { locale: 'en' } })).toBeNull();
  });
  it('then the time zone, then the fallback (a source default)', () => {
    expect(eventRegion({ context: { timezone: 'Asia/Tokyo' } })).toBe('JP');
    expect(eventRegion({ context: { timezone: 'constructor' } })).toBeNull();
    expect(eventRegion({ context: { timezone: 'Etc/UTC' } }, 'PH')).toBe('PH');
    expect(eventRegion({}, 'IL')).toBe('IL');
    expect(eventRegion(null)).toBeNull();
  });
  it('ignores values that are not a region', () => {
    expect(eventRegion({ context: { location: { country: 'Atlantis' }, locale: 'xx-ZZ' } })).toBeNull();
    expect(parseRegion('ZZ')).toBeNull();
    expect(parseRegion('tr')).toBe('TR');
  });
});

describe('national-format phone numbers in the event region', () => {
  const local = [
    ['TR', { context: { locale: 'tr-TR' } }, '0532 123 45 67'],
    ['PH', { context: { location: { country: 'PH' } } }, '0917 123 4567'],
    ['IL', { context: { timezone: 'Asia/Jerusalem' } }, '054-7654321'],
    ['JP', { context: { locale: 'ja-JP' } }, '090-1234-5678'],
  ] as const;

  it.each(local)('%s: a local number under a phone key is confirmed only in its region', async (_region, event, number) => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { location: { country: 'US' } } }, 'web');
    // Under a phone key a number not valid where the event comes from still stands on the key.
    expect(d.detect('traits.phone', number)).toMatchObject({ matchedOn: 'key', classifier: { id: 'phone_number' } });
    d.detector.beginEvent(event, 'web');
    expect(d.detect('traits.mobile', number)).toMatchObject({ matchedOn: 'key+value', classifier: { id: 'phone_number' } });
  });

  it('a number that is not valid in the event region still stands under a phone key (a doubt, not a release)', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'tr-TR' } }, 'web');
    expect(d.detect('traits.phone', '(650) 253-0000')).toMatchObject({ matchedOn: 'key', classifier: { id: 'phone_number' } });
    expect(d.detect('traits.phone', '+1 212-555-0147')?.matchedOn).toBe('key+value');
  });

  it('an event that does not say where it comes from is read in the default regions', async () => {
    const d = await builtinDetector();
    d.detector.beginEvent({ context: { locale: 'en' } }, 'web');
    expect(d.detect('traits.phone', '020 7946 0018')?.matchedOn).toBe('key+value');
  });

  it("falls back to the source's configured region", async () => {
    const { createDetector, loadClassifierSet } = await import('../../src/detect/index.js');
    const { PathTrie } = await import('../../src/events/index.js');
    const detector = createDetector(await loadClassifierSet(), { sourceRegions: new Map([['app_ph', 'PH' as const]]) });
    const trie = new PathTrie();
    detector.beginEvent({ context: {} }, 'app_ph');
    expect(detector.detect(trie.resolve('traits.mobile'), '0917 123 4567')?.matchedOn).toBe('key+value');
    detector.beginEvent({ context: { location: { country: 'US' } } }, 'app_ph');
    expect(detector.detect(trie.resolve('traits.phone'), '0917 123 4567')?.matchedOn).toBe('key');
  });
});

describe('otherEventRegions', () => {
  it('lists the regions hints name besides the chosen one, once each', () => {
    const event = { context: { locale: 'en-US', timezone: 'Europe/London', location: { country: 'GB' } } };
    expect(eventRegion(event)).toBe('GB');
    expect(otherEventRegions(event, 'GB')).toEqual(['US']);
    expect(otherEventRegions({ context: { locale: 'en-US', timezone: 'Australia/Sydney' } }, 'US')).toEqual(['AU']);
  });

  it('is empty when the hints agree or there are none', () => {
    expect(otherEventRegions({ context: { locale: 'en-GB', timezone: 'Europe/London' } }, 'GB')).toEqual([]);
    expect(otherEventRegions({}, null)).toEqual([]);
    expect(otherEventRegions(null, null)).toEqual([]);
  });
});
