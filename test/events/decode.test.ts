import { describe, expect, it } from 'vitest';
import {
  checkDecoded,
  checkEvent,
  DEFAULT_LIMITS,
  decodeJsonEvent,
  eventName,
  EVENT_TYPES,
  type DecodeErrorCode,
  type SegmentEvent,
} from '../../src/events/index.js';

/** Personal data the failure cases carry: none of it may reach a (loggable) reason. */
const pii = { email: 'jane.doe@example.com', phone: '+1 415-555-2671', card: '4111111111111111', name: 'Jane Doe', address: '742 Evergreen Terrace' };
const PII: readonly string[] = Object.values(pii);

/** Every 6-character window of `text`: a reason containing any of them quotes the input. */
function windows(text: string, size = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= text.length; i++) out.push(text.slice(i, i + size));
  return out;
}

/** The string and number values of a parsed input, at any depth. */
function valuesOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) valuesOf(v, out);
  return out;
}

/** Asserts the reason quotes no value of the input: neither whole nor any 6+ character piece. */
function expectNoContent(reason: string, input: string, extraSecrets: readonly string[] = []): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    parsed = undefined;
  }
  const secrets = [...PII, ...extraSecrets, ...valuesOf(parsed)].filter((s) => s.length >= 6);
  for (const secret of secrets) {
    expect(reason, `reason quotes "${secret}"`).not.toContain(secret);
    for (const piece of windows(secret)) expect(reason, `reason quotes "${piece}" from "${secret}"`).not.toContain(piece);
  }
}

describe('decodeJsonEvent accepts valid Segment calls', () => {
  const valid: Array<[label: string, event: Record<string, unknown>, name: string]> = [
    ['track', { type: 'track', event: 'Order Completed', userId: 'u-1', properties: { total: 42, email: pii.email } }, 'Order Completed'],
    ['identify', { type: 'identify', userId: 'u-1', traits: { email: pii.email, name: pii.name } }, 'identify'],
    ['page', { type: 'page', name: 'Pricing', anonymousId: 'a-1', properties: { url: 'https://example.com/pricing' } }, 'page'],
    ['screen', { type: 'screen', name: 'Home', userId: 'u-1', properties: {} }, 'screen'],
    ['group', { type: 'group', groupId: 'g-1', userId: 'u-1', traits: { plan: 'enterprise' } }, 'group'],
    ['alias', { type: 'alias', previousId: 'a-1', userId: 'u-1' }, 'alias'],
  ];

  it.each(valid)('%s', (_label, event, name) => {
    const result = decodeJsonEvent(JSON.stringify(event));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toEqual(event);
    expect(eventName(result.event)).toBe(name);
  });

  it('covers every event type Segmentloom understands', () => {
    expect(valid.map(([label]) => label).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('accepts bytes as well as text', () => {
    const result = decodeJsonEvent(Buffer.from(JSON.stringify({ type: 'track', event: 'Café Visited', properties: { city: 'Zürich' } })));
    expect(result.ok && result.event.properties).toEqual({ city: 'Zürich' });
  });

  it('accepts a Uint8Array view into a larger buffer (only the viewed bytes are decoded)', () => {
    const text = JSON.stringify({ type: 'identify', userId: 'u-1' });
    const backing = Buffer.from(`xxxx${text}yyyy`);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, Buffer.byteLength(text));
    const result = decodeJsonEvent(view);
    expect(result.ok && result.event.userId).toBe('u-1');
  });

  it('keeps unknown top-level fields (they are scanned too)', () => {
    const result = decodeJsonEvent(JSON.stringify({ type: 'track', event: 'X', customerEmail: pii.email, integrations: { All: true } }));
    expect(result.ok && result.event).toMatchObject({ customerEmail: pii.email, integrations: { All: true } });
  });

  it('normalises numeric ids to strings and accepts null ids', () => {
    const result = decodeJsonEvent(JSON.stringify({ type: 'identify', userId: 12345, anonymousId: null }));
    expect(result.ok && result.event).toMatchObject({ userId: '12345', anonymousId: null });
  });

  it('accepts an event exactly at the byte limit', () => {
    const text = JSON.stringify({ type: 'identify', userId: 'u-1' });
    expect(decodeJsonEvent(text, { ...DEFAULT_LIMITS, maxBytes: Buffer.byteLength(text) }).ok).toBe(true);
  });
});

describe('the name an event is filed under', () => {
  const named = (event: Record<string, unknown>) => eventName(event as SegmentEvent);

  it('is a track call’s `event`', () => {
    expect(named({ type: 'track', event: 'Product Viewed' })).toBe('Product Viewed');
  });

  it.each(EVENT_TYPES.filter((t) => t !== 'track'))('is the call type for %s, whatever else the call carries', (type) => {
    expect(named({ type, name: 'Home', event: 'Ignored' })).toBe(type);
  });
});

interface FailureCase {
  label: string;
  input: string;
  code: DecodeErrorCode;
  /** What the reason must say: the problem (and the field, when there is one). */
  says: RegExp[];
  limits?: typeof DEFAULT_LIMITS;
  /** Input content that is not a JSON value of the input (e.g. inside malformed text). */
  secrets?: string[];
}

const json = (value: unknown) => JSON.stringify(value);

const failures: FailureCase[] = [
  {
    label: 'malformed JSON (unterminated object)',
    input: `{"type":"identify","traits":{"email":"${pii.email}","phone":"${pii.phone}"`,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    label: 'malformed JSON (bare text)',
    input: pii.email,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    label: 'malformed JSON (unquoted value)',
    input: `{"type":"identify","traits":{"email": ${pii.email}}}`,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    label: 'malformed JSON (single quotes)',
    input: `{'type':'identify','traits':{'name':'${pii.name}','card':'${pii.card}'}}`,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    label: 'malformed JSON (trailing garbage)',
    input: `${json({ type: 'identify', traits: { email: pii.email } })} ${pii.card}`,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    label: 'malformed JSON (truncated mid-string)',
    input: `{"type":"track","event":"Paid","properties":{"card":"${pii.card}`,
    code: 'malformed_json',
    says: [/malformed JSON/],
  },
  {
    // Short non-JSON text that happens to contain "position <digits>": V8 echoes short inputs
    // in its message, so the digits must not be mistaken for (and reported as) the error offset.
    label: 'malformed JSON (text containing "position" and a phone number)',
    input: 'position 4155552671',
    code: 'malformed_json',
    says: [/malformed JSON/],
    secrets: ['4155552671'],
  },
  { label: 'a JSON array', input: json([pii.email, { type: 'track', event: 'X' }]), code: 'not_an_object', says: [/JSON object/, /array/] },
  { label: 'a JSON number', input: pii.card, code: 'not_an_object', says: [/JSON object/, /number/] },
  { label: 'a JSON string', input: json(pii.email), code: 'not_an_object', says: [/JSON object/, /string/] },
  { label: 'JSON null', input: 'null', code: 'not_an_object', says: [/JSON object/, /null/] },
  { label: 'a JSON boolean', input: 'true', code: 'not_an_object', says: [/JSON object/, /boolean/] },
  {
    label: 'a missing type',
    input: json({ event: 'Order Completed', properties: { email: pii.email, card: pii.card } }),
    code: 'invalid_event',
    says: [/"type"/, /track/],
  },
  {
    label: 'an unknown type',
    input: json({ type: 'purchase', properties: { email: pii.email } }),
    code: 'invalid_event',
    says: [/"type"/, /track/],
  },
  {
    label: 'a type that is itself personal data',
    input: json({ type: pii.email }),
    code: 'invalid_event',
    says: [/"type"/],
  },
  {
    label: 'a track call without an event name',
    input: json({ type: 'track', userId: 'u-1', properties: { email: pii.email, phone: pii.phone } }),
    code: 'invalid_event',
    says: [/"event"/, /track/, /name/],
  },
  {
    label: 'a track call with an empty event name',
    input: json({ type: 'track', event: '', properties: { email: pii.email } }),
    code: 'invalid_event',
    says: [/"event"/, /empty/],
  },
  {
    label: 'a track call whose event name is not a string',
    input: json({ type: 'track', event: 4111111111111111, properties: { name: pii.name } }),
    code: 'invalid_event',
    says: [/"event"/, /string/],
  },
  {
    label: 'properties that are not an object',
    input: json({ type: 'track', event: 'Signed Up', properties: pii.email }),
    code: 'invalid_event',
    says: [/"properties"/],
  },
  {
    label: 'traits that are an array',
    input: json({ type: 'identify', userId: 'u-1', traits: [pii.name, pii.address] }),
    code: 'invalid_event',
    says: [/"traits"/],
  },
  {
    label: 'context that is a string',
    input: json({ type: 'page', context: `ip=203.0.113.9 ${pii.email}` }),
    code: 'invalid_event',
    says: [/"context"/],
  },
  {
    label: 'a userId that is an object',
    input: json({ type: 'identify', userId: { email: pii.email } }),
    code: 'invalid_event',
    says: [/"userId"/],
  },
  {
    label: 'a timestamp that is not a string',
    input: json({ type: 'identify', userId: 'u-1', timestamp: 19850412, traits: { name: pii.name } }),
    code: 'invalid_event',
    says: [/"timestamp"/, /string/],
  },
  {
    label: 'oversized input',
    input: json({ type: 'identify', traits: { email: pii.email, bio: `${pii.name} lives at ${pii.address}`.repeat(10) } }),
    limits: { ...DEFAULT_LIMITS, maxBytes: 100 },
    code: 'oversized',
    says: [/\b100\b/, /byte/, /limit/],
  },
  {
    label: 'oversized malformed input (the size is checked first)',
    input: `{"traits":{"email":"${pii.email}"`.padEnd(300, ' '),
    limits: { ...DEFAULT_LIMITS, maxBytes: 200 },
    code: 'oversized',
    says: [/\b200\b/, /byte/],
  },
];

describe('decodeJsonEvent refuses bad input with a code and a safe reason', () => {
  describe.each(failures)('$label', ({ input, code, says, limits, secrets }) => {
    for (const [form, encoded] of [
      ['text', input],
      ['bytes', Buffer.from(input)],
    ] as const) {
      it(`as ${form}: ok=false, code ${code}, a reason that names the problem and quotes nothing`, () => {
        const result = decodeJsonEvent(encoded, limits);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.code).toBe(code);
        for (const pattern of says) expect(result.reason).toMatch(pattern);
        expectNoContent(result.reason, input, secrets);
      });
    }
  });

  it('measures the size limit in bytes, not characters', () => {
    const text = json({ type: 'identify', traits: { city: 'Zürich'.repeat(10) } });
    const limit = text.length + 5;
    expect(Buffer.byteLength(text)).toBeGreaterThan(limit);
    const result = decodeJsonEvent(text, { ...DEFAULT_LIMITS, maxBytes: limit });
    expect(result).toMatchObject({ ok: false, code: 'oversized' });
    expect(!result.ok && result.reason).toContain(String(Buffer.byteLength(text)));
  });

  it('reports where malformed JSON breaks, as a byte offset', () => {
    // `{"a":1,}`: the error is at the closing brace.
    expect(decodeJsonEvent('{"a":1,}')).toMatchObject({ ok: false, reason: 'malformed JSON at byte offset 7' });
    // Multi-byte characters before the error count by their UTF-8 size: "é" is two bytes, so
    // the brace of `{"é":1,}` is at byte 8 (UTF-16 index 7).
    expect(decodeJsonEvent('{"é":1,}')).toMatchObject({ ok: false, reason: 'malformed JSON at byte offset 8' });
    expect(decodeJsonEvent(Buffer.from('{"é":1,}'))).toMatchObject({ ok: false, reason: 'malformed JSON at byte offset 8' });
  });

  it('says when the input ends unexpectedly', () => {
    expect(decodeJsonEvent('')).toMatchObject({ ok: false, code: 'malformed_json' });
    expect(decodeJsonEvent('[1,')).toMatchObject({ ok: false, code: 'malformed_json', reason: expect.stringMatching(/ends unexpectedly/) });
  });
});

describe('checkDecoded and checkEvent (already-decoded values) follow the same rules', () => {
  it('accepts a valid event and refuses non-objects and invalid events with safe reasons', () => {
    expect(checkDecoded({ type: 'alias', userId: 'u-1', previousId: 'a-1' }).ok).toBe(true);
    for (const value of [null, 42, pii.email, [pii.email]]) {
      const result = checkDecoded(value);
      expect(result).toMatchObject({ ok: false, code: 'not_an_object' });
      if (!result.ok) expectNoContent(result.reason, JSON.stringify(value));
    }
    const invalid = checkDecoded({ type: 'track', traits: { email: pii.email } });
    expect(invalid).toMatchObject({ ok: false, code: 'invalid_event' });
    const checked = checkEvent({ type: pii.email });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expectNoContent(checked.reason, JSON.stringify({ type: pii.email }));
  });
});

describe('decodeJsonEvent refuses numbers a 64-bit float cannot carry (issue 20: 1e400 became null silently)', () => {
  const event = (value: string) => `{"type":"track","event":"Paid","userId":"u-1","properties":{"amount":${value},"note":"1e400 in a string is text"}}`;

  it.each([
    ['1e400', 'too large', 'null'],
    ['-1E+400', 'too large', 'null'],
    [`1${'0'.repeat(400)}`, 'too large', 'null'],
    ['1e-400', 'too small', '0'],
    ['2.5e-999', 'too small', '0'],
  ])('%s is dead-lettered as unrepresentable_number', (value, size, becomes) => {
    const text = event(value);
    const result = decodeJsonEvent(text);
    expect(result).toMatchObject({ ok: false, code: 'unrepresentable_number' });
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain(size);
    expect(reason).toContain(`it would become ${becomes}`);
    expect(reason).toContain(`byte offset ${text.indexOf(value)}`);
    expectNoContent(reason, text);
    // Bytes take the same path.
    expect(decodeJsonEvent(Buffer.from(text))).toMatchObject({ ok: false, code: 'unrepresentable_number' });
  });

  it.each(['1e308', '-1.7976931348623157e308', '0e-400', '0.000e999', '5e-324', '123', '1.5e-10'])('%s is representable and kept', (value) => {
    const result = decodeJsonEvent(event(value));
    expect(result.ok).toBe(true);
  });

  it('does not take digits or exponents inside strings for numbers', () => {
    const text = `{"type":"track","event":"e400","userId":"u-1","properties":{"code":"x1e999","quote":"say \\"1e400\\"","big":"${'9'.repeat(400)}"}}`;
    expect(decodeJsonEvent(text).ok).toBe(true);
  });

  it.each([
    ['in an array after a space', '[1, 1e400]'],
    ['after a colon and a space', ' 2E+999'],
    ['in a nested object', '{"b":5e-400}'],
    ['as a fraction of 330 zeros', `0.${'0'.repeat(330)}1`],
  ])('finds an unrepresentable number %s', (_, value) => {
    expect(decodeJsonEvent(event(value))).toMatchObject({ ok: false, code: 'unrepresentable_number' });
  });
});
