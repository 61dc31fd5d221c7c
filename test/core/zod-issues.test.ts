import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { suggest } from '../../src/core/suggest.js';
import { formatField, knownKeys, zodIssues } from '../../src/core/zod-issues.js';

const SECRET = 'jane.doe@example.com';

const body = z.strictObject({
  source: z.string(),
  classification: z.enum(['red', 'yellow', 'green']),
  channels: z.array(z.strictObject({ name: z.string(), url: z.string().optional() })).optional(),
  retry: z.strictObject({ attempts: z.number().int().min(1).default(3) }).optional(),
});

function issuesOf(schema: z.ZodType, input: unknown, prefix?: string) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return zodIssues(result.error!, { schema, input, ...(prefix === undefined ? {} : { prefix }) });
}

describe('zodIssues', () => {
  it('reports a misspelt field as unknown, first, with a did-you-mean, and the real field as required', () => {
    const issues = issuesOf(body, { source: 'web', clasification: 'red' });
    expect(issues.map(({ field, message }) => ({ field, message }))).toEqual([
      { field: '(root)', message: 'unknown field "clasification" (did you mean "classification"?)' },
      { field: 'classification', message: 'required (expected one of "red", "yellow", "green")' },
    ]);
  });

  it('finds the known fields of nested objects inside arrays, optionals and defaults', () => {
    const issues = issuesOf(body, { source: 'web', classification: 'red', channels: [{ name: 'a', ulr: 'x' }], retry: { atempts: 2 } }, 'alerts');
    expect(issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'alerts.channels[0]: unknown field "ulr" (did you mean "url"?)',
      'alerts.retry: unknown field "atempts" (did you mean "attempts"?)',
    ]);
  });

  it('gives no suggestion for a key far from every known one', () => {
    const [issue] = issuesOf(body, { source: 'web', classification: 'red', zzzzzz: 1 });
    expect(issue!.message).toBe('unknown field "zzzzzz"');
  });

  it('lists every allowed value of an enum, never "(and N more)"', () => {
    const many = z.strictObject({ level: z.enum(['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7']) });
    const [issue] = issuesOf(many, { level: 'zz' });
    expect(issue).toMatchObject({ field: 'level', message: 'expected one of "a1", "b2", "c3", "d4", "e5", "f6", "g7"' });
  });

  it('never quotes a received value, whatever the issue', () => {
    const schema = z.strictObject({
      email: z.number(),
      short: z.string().min(40),
      long: z.string().max(3),
      pick: z.enum(['x']),
      literal: z.literal('y'),
      url: z.url(),
      list: z.array(z.string()).min(2),
      union: z.union([z.number(), z.boolean()]),
    });
    const issues = issuesOf(schema, {
      email: SECRET,
      short: SECRET,
      long: SECRET,
      pick: SECRET,
      literal: SECRET,
      url: SECRET,
      list: [SECRET],
      union: SECRET,
      [SECRET]: 1,
    });
    expect(issues.length).toBeGreaterThanOrEqual(8);
    for (const issue of issues.filter((i) => !i.message.startsWith('unknown field'))) expect(issue.message).not.toContain('jane');
    expect(issues.find((i) => i.field === 'short')!.message).toBe('must have at least 40 characters');
    expect(issues.find((i) => i.field === 'list')!.message).toBe('must have at least 2 items');
  });

  it("keeps a schema's own message, which is written without the value", () => {
    const schema = z.strictObject({ secret: z.string().min(16, 'must be at least 16 characters') });
    expect(issuesOf(schema, { secret: 'short' })[0]!.message).toBe('must be at least 16 characters');
  });
});

describe('knownKeys', () => {
  it('walks objects, arrays, optionals, defaults and unions', () => {
    const schema = z.union([z.strictObject({ a: z.string() }), z.strictObject({ b: z.array(z.strictObject({ c: z.number().default(1) })) })]);
    expect(knownKeys(schema, []).sort()).toEqual(['a', 'b']);
    expect(knownKeys(schema, ['b', 0])).toEqual(['c']);
  });
});

describe('formatField and suggest', () => {
  it('writes paths as people read them', () => {
    expect(formatField([])).toBe('(root)');
    expect(formatField(['channels', 0, 'url'])).toBe('channels[0].url');
  });

  it('suggests typos, transpositions and case slips, not unrelated words', () => {
    expect(suggest('scna', ['scan', 'serve', 'init'])).toBe('scan');
    expect(suggest('Inventory', ['inventory', 'init'])).toBe('inventory');
    expect(suggest('--fromat', ['--format', '--classifiers'])).toBe('--format');
    expect(suggest('deploy', ['scan', 'serve', 'init'])).toBeUndefined();
  });
});
