import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FIELDS } from '../../src/inventory/format.js';
import { INVENTORY_CSV_COLUMNS } from '../../src/inventory/csv.js';
import { ndjson, parseCsv, parseTable, requireBuild, ROOT, segmentloomAsync, TABLE_TITLES, type CliResult } from './helpers.js';

type Row = Record<string, unknown>;

let tmp: string;
/** Writes a file under the test's temp directory and returns its path. */
function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'segmentloom-cli-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Personal data in the fixture: none of it may appear raw in any output. */
const RAW = {
  email: 'jane.doe@example.com',
  hiddenEmail: 'john.smith@example.org',
  textEmail: 'maria.garcia@example.net',
  arrayEmail: 'ana.lopez@example.com',
  arrayEmail2: 'li.wei@example.com',
  laterEmail: 'peter.parker@example.com',
  traitEmail: 'olga.ivanova@example.com',
  phone: '+1 415-555-2671',
  traitPhone: '+44 7911 123456',
  card: '4111 1111 1111 1111',
  cardNumber: '5500005555555559',
  cardAsNumber: 4012888888881881,
};
const RAW_STRINGS = [
  ...Object.values(RAW).map(String),
  '4111111111111111',
  '415-555-2671',
  '7911 123456',
  'jane.doe',
  'john.smith',
  'maria.garcia',
  'peter.parker',
  'olga.ivanova',
];

const FIXTURE = [
  {
    type: 'track',
    event: 'Order Completed',
    userId: 'u-1',
    timestamp: '2024-03-01T10:00:00Z',
    properties: {
      contact: 'n/a',
      email: RAW.email,
      username: RAW.hiddenEmail,
      email_subscribed: true,
      comment: `please reach ${RAW.textEmail} today`,
      phone: RAW.phone,
      card: RAW.card,
      cc: RAW.cardAsNumber,
      payment: { cardNumber: RAW.cardNumber },
      contacts: [{ email: RAW.arrayEmail }, { email: RAW.arrayEmail2 }],
      products: [{ name: 'Shoe, red', 'size, color': 'M' }],
      'say "hi"': 'He said "hi", twice',
      total: 42,
    },
    context: { library: { name: 'analytics.js' } },
  },
  { type: 'identify', userId: 'u-1', timestamp: '2024-03-01T10:05:00Z', traits: { phone: RAW.traitPhone, email: RAW.traitEmail } },
  {
    type: 'track',
    event: 'Order Completed',
    userId: 'u-2',
    timestamp: '2024-03-01T11:00:00Z',
    properties: { contact: RAW.laterEmail, email: 'n/a', products: [{ name: 'Sock' }] },
  },
  { type: 'page', name: 'Pricing', anonymousId: 'a-9', timestamp: '2024-03-01T12:00:00Z', properties: { url: 'https://example.com/pricing' } },
];

function parseJson(result: CliResult): Row[] {
  return JSON.parse(result.stdout) as Row[];
}

function parseNdjson(result: CliResult): Row[] {
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);
}

const RISK: Record<string, number> = { red: 2, yellow: 1, green: 0 };

function byPath(records: Row[], p: string, event?: string): Row {
  const found = records.filter((r) => r.path === p && (event === undefined || r.event === event));
  expect(found, `one record for ${p}${event ? ` in ${event}` : ''}`).toHaveLength(1);
  return found[0]!;
}

describe('scan: every output format carries the same fields and the same records', () => {
  const out: Record<'table' | 'json' | 'ndjson' | 'csv', CliResult> = {} as never;
  let defaultTable: CliResult;
  let reference: Row[];

  // Not spawnSync: five scans in a row would block this worker past vitest's RPC timeout under load.
  beforeAll(async () => {
    const file = write('fixture.ndjson', ndjson(FIXTURE));
    for (const format of ['json', 'ndjson', 'csv'] as const) out[format] = await segmentloomAsync(['scan', file, '--format', format], { timeoutMs: 120_000 });
    out.table = await segmentloomAsync(['scan', file, '--format', 'table', '--all'], { timeoutMs: 120_000 });
    defaultTable = await segmentloomAsync(['scan', file], { timeoutMs: 120_000 });
    reference = parseJson(out.json);
  });

  it('each format exits 0 and reports the scan summary on stderr', () => {
    for (const result of Object.values(out)) {
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('scanned 4 events, 0 invalid lines');
    }
  });

  it('the default format is the table', async () => {
    const result = await segmentloomAsync(['scan', path.join(tmp, 'fixture.ndjson')]);
    expect(result.stdout).toBe(defaultTable.stdout);
  });

  it('json: an array of records with exactly RECORD_FIELDS, in order', () => {
    expect(reference.length).toBeGreaterThan(10);
    for (const record of reference) expect(Object.keys(record)).toEqual([...RECORD_FIELDS]);
  });

  it('ndjson: one record per line, the same records in the same order', () => {
    const records = parseNdjson(out.ndjson);
    for (const record of records) expect(Object.keys(record)).toEqual([...RECORD_FIELDS]);
    expect(records).toEqual(reference);
  });

  it('csv: the headers inventory export-csv uses for the same fields, then the same records (null as an empty field, formula-like text defused), CRLF line ends', () => {
    const [header, ...rows] = parseCsv(out.csv.stdout);
    expect(header).toEqual([
      'source',
      'event',
      'path',
      'category',
      'data_category',
      'recommended_classification',
      'matched_on',
      'confidence',
      'matcher',
      'count',
      'first_seen',
      'last_seen',
      'example',
    ]);
    // One naming: every scan header is a column of the inventory export.
    for (const name of header!) expect(INVENTORY_CSV_COLUMNS as readonly string[]).toContain(name);
    const cell = (v: unknown) => (v === null ? '' : typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v));
    expect(rows).toEqual(reference.map((r) => RECORD_FIELDS.map((f) => cell(r[f]))));
    expect(out.csv.stdout.endsWith('\r\n')).toBe(true);
    expect(out.csv.stdout.split('\r\n')).toHaveLength(reference.length + 2);
  });

  it('table: fits 80 columns (class, category, event, path, count) with --all one row per record, the same records', () => {
    const { titles, rows } = parseTable(out.table.stdout);
    expect(titles).toEqual(['CLASS', 'CATEGORY', 'EVENT', 'PATH', 'COUNT']);
    for (const line of out.table.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(rows).toHaveLength(reference.length);
    rows.forEach((row, i) => {
      const record = reference[i]!;
      for (const title of titles) {
        const field = TABLE_TITLES[title]!;
        const value = record[field];
        const full = value === null ? '-' : String(value);
        const cell = row[title]!;
        // Long cells may be shortened to a prefix ending in "…".
        if (cell.endsWith('…') && cell !== full) expect(full.startsWith(cell.slice(0, -1)), `${title}: "${cell}" vs "${full}"`).toBe(true);
        else expect(cell, `${title} of row ${i}`).toBe(full);
      }
    });
  });

  it('table: hides green rows unless --all, and says how many it hid', () => {
    expect(defaultTable.status, defaultTable.stderr).toBe(0);
    const lines = defaultTable.stdout.trimEnd().split('\n');
    const green = reference.filter((r) => r.classification === 'green').length;
    expect(green).toBeGreaterThan(0);
    expect(lines.at(-1)).toBe(`(${green} green point${green === 1 ? '' : 's'} without personal data hidden: --all shows them)`);
    const { rows } = parseTable(lines.slice(0, -1).join('\n'));
    expect(rows.map((r) => r.CLASS)).toEqual(reference.filter((r) => r.classification !== 'green').map((r) => r.classification));
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('sorts records riskiest first (red, yellow, green) in every format', () => {
    const risks = reference.map((r) => RISK[r.classification as string]!);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
    expect(reference[0]!.classification).toBe('red');
    expect(risks).toContain(1);
    expect(risks).toContain(0);
    const tableClasses = parseTable(out.table.stdout).rows.map((r) => r.CLASS);
    expect(tableClasses[0]).toBe('red');
    expect(tableClasses).toEqual(reference.map((r) => r.classification));
  });

  it('within one risk level, sorts by source, event and path (code-unit order, the same in every locale)', () => {
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    for (let i = 1; i < reference.length; i++) {
      const a = reference[i - 1]!;
      const b = reference[i]!;
      if (a.classification !== b.classification) continue;
      const ka = [a.source, a.event, a.path] as string[];
      const kb = [b.source, b.event, b.path] as string[];
      const order = cmp(ka[0]!, kb[0]!) || cmp(ka[1]!, kb[1]!) || cmp(ka[2]!, kb[2]!);
      expect(order, `${ka.join(' / ')} before ${kb.join(' / ')}`).toBeLessThanOrEqual(0);
    }
  });

  it('csv defuses a producer-chosen event name a spreadsheet would run as a formula', async () => {
    const file = write('formula.ndjson', ndjson([{ type: 'track', event: '=HYPERLINK("http://x")', properties: { plan: 'pro' } }]));
    const csv = (await segmentloomAsync(['scan', file, '--format', 'csv'])).stdout;
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('csv quotes a path holding a comma, and a value holding commas and quotes', () => {
    expect(out.csv.stdout).toContain(',"properties.products[].size, color",');
    // Examples are masked to their shape, which keeps the comma and the quotes to escape.
    expect(out.csv.stdout).toContain('"xx xxxx ""xx"", xxxxx"');
    const [header, ...rows] = parseCsv(out.csv.stdout);
    const pathColumn = header!.indexOf('path');
    expect(rows.map((r) => r[pathColumn])).toEqual(expect.arrayContaining(['properties.products[].size, color', 'properties["say \\"hi\\""]']));
    for (const row of rows) expect(row).toHaveLength(RECORD_FIELDS.length);
  });

  it('aggregates one record per (source, event, path) with its count and first/last seen', () => {
    const name = byPath(reference, 'properties.products[].name', 'Order Completed');
    expect(name).toMatchObject({ count: 2, firstSeen: '2024-03-01T10:00:00.000Z', lastSeen: '2024-03-01T11:00:00.000Z', classification: 'green' });
    expect(byPath(reference, 'type', 'page')).toMatchObject({ event: 'page', count: 1, example: 'xxxx' });
    expect(byPath(reference, 'traits.email', 'identify')).toMatchObject({ event: 'identify', category: 'email' });
    expect(reference.every((r) => r.source === 'default')).toBe(true);
  });
});

describe('scan: classified values never appear raw', () => {
  let results: Record<string, CliResult>;
  let records: Row[];

  beforeAll(async () => {
    const file = write('pii.ndjson', ndjson(FIXTURE));
    results = {};
    for (const format of ['table', 'json', 'ndjson', 'csv']) results[format] = await segmentloomAsync(['scan', file, '--format', format]);
    records = parseJson(results.json!);
  });

  it('no raw email, phone or card number anywhere in stdout or stderr, in any format', () => {
    for (const [format, result] of Object.entries(results)) {
      expect(result.status).toBe(0);
      for (const raw of RAW_STRINGS) {
        expect(result.stdout, `${format} stdout contains "${raw}"`).not.toContain(raw);
        expect(result.stderr, `${format} stderr contains "${raw}"`).not.toContain(raw);
      }
    }
  });

  it('the example of a classified point is its masked shape (letters → x, digits → 9)', () => {
    const classified = records.filter((r) => r.category !== null);
    expect(classified.length).toBeGreaterThanOrEqual(10);
    for (const r of classified) {
      expect(typeof r.example).toBe('string');
      expect(r.example as string, `${r.path as string}`).not.toMatch(/[A-Za-wyz0-8]/);
    }
    expect(byPath(records, 'properties.email', 'Order Completed').example).toBe('xxxx.xxx@xxxxxxx.xxx');
    expect(byPath(records, 'properties.phone', 'Order Completed').example).toBe('+9 999-999-9999');
    expect(byPath(records, 'properties.card', 'Order Completed').example).toBe('9999 9999 9999 9999');
  });

  it('a point that carried a green value before personal data shows the masked personal data', () => {
    // properties.contact was "n/a" in the first event and an email in a later one.
    expect(byPath(records, 'properties.contact', 'Order Completed')).toMatchObject({ category: 'email', example: 'xxxxx.xxxxxx@xxxxxxx.xxx' });
    // properties.email held an email first and "n/a" later: still email, still masked.
    expect(byPath(records, 'properties.email', 'Order Completed')).toMatchObject({ category: 'email', example: 'xxxx.xxx@xxxxxxx.xxx' });
  });

  it('finds an email hidden under a key that says nothing (username), on its value', () => {
    expect(byPath(records, 'properties.username', 'Order Completed')).toMatchObject({ category: 'email', classification: 'yellow', matchedOn: 'value' });
    expect(byPath(records, 'properties.comment', 'Order Completed')).toMatchObject({ category: 'email', matchedOn: 'value' });
    expect(byPath(records, 'properties.cc', 'Order Completed')).toMatchObject({ category: 'credit_card_number', classification: 'red', matchedOn: 'value' });
  });

  it('classifies by key and value together where both agree', () => {
    expect(byPath(records, 'properties.email', 'Order Completed')).toMatchObject({ category: 'email', matchedOn: 'key+value' });
    expect(byPath(records, 'properties.contacts[].email', 'Order Completed')).toMatchObject({ category: 'email', matchedOn: 'key+value', count: 2 });
    expect(byPath(records, 'properties.payment.cardNumber', 'Order Completed')).toMatchObject({ category: 'credit_card_number', classification: 'red' });
    expect(byPath(records, 'traits.phone', 'identify')).toMatchObject({ category: 'phone_number' });
  });

  it('does not classify a consent flag named after email (email_subscribed: true)', () => {
    expect(byPath(records, 'properties.email_subscribed', 'Order Completed')).toMatchObject({
      category: null,
      dataCategory: null,
      classification: 'green',
      matchedOn: null,
      matcher: null,
      example: 'true',
    });
  });
});

describe('scan: invalid lines are reported and never abort the scan', () => {
  let deep: unknown = 'jane.doe@example.com';
  for (let i = 0; i < 40; i++) deep = { nested: deep };
  const lines = [
    JSON.stringify({ type: 'track', event: 'First', timestamp: '2024-01-01T00:00:00Z', properties: { plan: 'pro' } }),
    '{"type":"identify","traits":{"email":"jane.doe@example.com"',
    JSON.stringify([{ type: 'track', event: 'In An Array', properties: { email: 'jane.doe@example.com' } }]),
    JSON.stringify({ type: 'track', event: 'Too Deep', timestamp: '2024-01-01T00:00:00Z', properties: deep }),
    '',
    JSON.stringify({ type: 'track', event: 'Last', timestamp: '2024-01-01T00:00:00Z', properties: { seats: 3 } }),
    JSON.stringify({ type: 'track', properties: { email: 'jane.doe@example.com' } }),
  ];

  let result: CliResult;
  let file: string;
  beforeAll(async () => {
    file = write('mixed.ndjson', ndjson(lines));
    result = await segmentloomAsync(['scan', file, '--format', 'json']);
  });

  it('exits 0 and still scans the valid lines before and after the invalid ones', () => {
    expect(result.status).toBe(0);
    const events = new Set(parseJson(result).map((r) => r.event));
    expect(events).toContain('First');
    expect(events).toContain('Last');
  });

  it('a skipped line adds nothing to the inventory, not even the fields read before it was refused', () => {
    // Line 4 is refused as too deep; its `type`, `event` and `timestamp` must not become records.
    const events = new Set(parseJson(result).map((r) => r.event));
    expect([...events].sort()).toEqual(['First', 'Last']);
  });

  it('reports each invalid line on stderr as file:line with the reason', () => {
    expect(result.stderr).toContain(`${file}:2: skipped: malformed JSON`);
    expect(result.stderr).toMatch(new RegExp(`${reEscape(file)}:3: skipped: .*JSON object.*array`));
    expect(result.stderr).toMatch(new RegExp(`${reEscape(file)}:4: skipped: .*deeper than 32`));
    expect(result.stderr).toMatch(new RegExp(`${reEscape(file)}:7: skipped: .*"event"`));
  });

  it('skips blank lines silently but keeps counting them for line numbers', () => {
    expect(result.stderr).not.toContain(`${file}:5:`);
    expect(result.stderr).toContain('scanned 2 events, 4 invalid lines');
  });

  it('never quotes the content of an invalid line', () => {
    expect(result.stderr).not.toContain('jane.doe');
    expect(result.stderr).not.toContain('example.com');
  });

  it('applies --max-bytes and --max-depth to each line', async () => {
    const limited = await segmentloomAsync(['scan', file, '--format', 'json', '--max-bytes', '120', '--max-depth', '8']);
    expect(limited.status).toBe(0);
    expect(limited.stderr).toMatch(new RegExp(`${reEscape(file)}:4: skipped: .*120-byte limit`));
    expect(limited.stderr).toContain('scanned 2 events, 4 invalid lines');
  });

  it('refuses a non-positive --max-depth as a usage error (2)', async () => {
    const bad = await segmentloomAsync(['scan', file, '--max-depth', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-depth');
  });
});

describe('scan: inputs and options', () => {
  const event = (name: string) => ({ type: 'track', event: name, timestamp: '2024-01-01T00:00:00Z', properties: { plan: 'pro' } });

  it('a missing input file exits 2 with a message naming the file, and prints no records', async () => {
    const missing = path.join(tmp, 'does-not-exist.ndjson');
    const result = await segmentloomAsync(['scan', missing]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`cannot read input file ${missing}`);
    expect(result.stdout).toBe('');
  });

  it('an unknown --format exits 2 and lists the formats', async () => {
    const result = await segmentloomAsync(['scan', '--format', 'xml', '-'], { input: ndjson([event('A')]) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--format must be one of table, json, ndjson, csv, got "xml"/);
    expect(result.stdout).toBe('');
  });

  it('an unknown option exits 2', async () => {
    const result = await segmentloomAsync(['scan', '--no-such-option'], { input: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('segmentloom scan:');
  });

  it('reads stdin for "-", labelling its lines "stdin"', async () => {
    const result = await segmentloomAsync(['scan', '-', '--format', 'json'], { input: ndjson([event('From Stdin'), 'not json']) });
    expect(result.status).toBe(0);
    expect(parseJson(result).map((r) => r.event)).toContain('From Stdin');
    expect(result.stderr).toContain('stdin:2: skipped: malformed JSON');
  });

  it('reads stdin when no file is given', async () => {
    const result = await segmentloomAsync(['scan', '--format', 'ndjson'], { input: ndjson([event('Implicit Stdin')]) });
    expect(result.status).toBe(0);
    expect(parseNdjson(result).map((r) => r.event)).toContain('Implicit Stdin');
  });

  it('aggregates several files into one inventory', async () => {
    const a = write('multi/a.ndjson', ndjson([event('Same')]));
    const b = write('multi/b.ndjson', ndjson([event('Same'), event('Same')]));
    const records = parseJson(await segmentloomAsync(['scan', a, b, '--format', 'json']));
    expect(byPath(records, 'properties.plan', 'Same').count).toBe(3);
  });

  it('records --source on every record', async () => {
    const file = write('source.ndjson', ndjson([event('A'), { type: 'identify', userId: 'u', traits: { email: 'jane.doe@example.com' } }]));
    for (const format of ['json', 'csv'] as const) {
      const result = await segmentloomAsync(['scan', file, '--source', 'web-app', '--format', format]);
      expect(result.status).toBe(0);
      if (format === 'json') {
        const records = parseJson(result);
        expect(records.length).toBeGreaterThan(0);
        expect(new Set(records.map((r) => r.source))).toEqual(new Set(['web-app']));
      } else {
        const [header, ...rows] = parseCsv(result.stdout);
        const column = header!.indexOf('source');
        expect(new Set(rows.map((r) => r[column]))).toEqual(new Set(['web-app']));
      }
    }
  });
});

describe('scan: the table keeps one line per record whatever the events hold', () => {
  // Green examples, paths and event names are event content: a line break or a terminal escape in
  // them must not split a row or reach the terminal as a control sequence.
  it('escapes or strips line breaks and control characters in cells', async () => {
    const file = write(
      'control.ndjson',
      ndjson([
        { type: 'track', event: 'E', timestamp: '2024-01-01T00:00:00Z', properties: { note: 'line one\nline two', esc: '\u001b[2J\u001b[31mred', 'a\nb': 1 } },
      ]),
    );
    const result = await segmentloomAsync(['scan', file, '--all']);
    expect(result.status).toBe(0);
    const json = parseJson(await segmentloomAsync(['scan', file, '--format', 'json']));
    const lines = result.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(json.length + 1);
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});

describe('scan and classifiers: a bad classifier directory is a configuration error (78)', () => {
  let badClassification: string;
  let badPattern: string;

  beforeAll(() => {
    const email = readFileSync(path.join(ROOT, 'classifiers', 'email.yaml'), 'utf8');
    expect(email).toMatch(/^classification: yellow$/m);
    badClassification = path.join(tmp, 'bad-classification');
    write('bad-classification/email.yaml', email.replace(/^classification: yellow$/m, 'classification: purple'));
    badPattern = path.join(tmp, 'bad-pattern');
    write(
      'bad-pattern/lookahead.yaml',
      email.replace(/^id: email$/m, 'id: lookahead_email').replace(/^ {2}patterns: .*$/m, "  patterns: ['(?=x)[a-z]+@example\\.com']"),
    );
  });

  it('scan: a wrong field value names the file and the field', async () => {
    const result = await segmentloomAsync(['scan', '--classifiers', badClassification, '-'], { input: '' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(path.join(badClassification, 'email.yaml'));
    expect(result.stderr).toMatch(/classification: .*red.*yellow.*green/);
    expect(result.stdout).toBe('');
  });

  it('scan: a pattern RE2 cannot compile names the file and the pattern', async () => {
    const result = await segmentloomAsync(['scan', '--classifiers', badPattern, '-'], { input: '' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(path.join(badPattern, 'lookahead.yaml'));
    expect(result.stderr).toContain('value.patterns[0]');
    expect(result.stderr).toMatch(/RE2/);
  });

  it('scan: a classifier directory that does not exist', async () => {
    const missing = path.join(tmp, 'no-such-classifiers');
    const result = await segmentloomAsync(['scan', '--classifiers', missing, '-'], { input: '' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(missing);
  });

  it('classifiers validate exits 78 on each bad directory, 0 on the built-in set', async () => {
    for (const [dir, field] of [
      [badClassification, 'classification'],
      [badPattern, 'value.patterns[0]'],
    ] as const) {
      const result = await segmentloomAsync(['classifiers', 'validate', '--classifiers', dir]);
      expect(result.status).toBe(78);
      expect(result.stderr).toContain(dir);
      expect(result.stderr).toContain(field);
    }
    const ok = await segmentloomAsync(['classifiers', 'validate']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ classifiers/);
  });
});

describe('classifiers test explains decisions', () => {
  it('a passport key holding a country code is contradicted by its value, with a note', async () => {
    const result = await segmentloomAsync(['classifiers', 'test', 'properties.passport=US']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('no personal data (green)');
    expect(result.stdout).toMatch(/note: key suggests passport_number .* but the value contradicts it/);
    expect(result.stdout).not.toMatch(/= US\b/);
  });

  it('an email under userEmail is an email, and the sample value is shown masked', async () => {
    const result = await segmentloomAsync(['classifiers', 'test', 'properties.userEmail=jane@example.com']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/→ email \(yellow\) on key\+value/);
    expect(result.stdout).toContain('xxxx@xxxxxxx.xxx');
    expect(result.stdout).not.toContain('jane@example.com');
  });

  it('--call group reads the samples as a group call, whose traits describe the group', async () => {
    const json = async (args: string[]) =>
      (JSON.parse((await segmentloomAsync(['classifiers', 'test', '--format', 'json', ...args])).stdout) as Row[]).map((r) => r.category);
    expect(await json(['--call', 'group', 'traits.name=Acme Inc', 'traits.email=billing@acme.example.com'])).toEqual([null, 'email']);
    expect(await json(['traits.name=Jane Doe'])).toEqual(['person_name']);
    const bad = await segmentloomAsync(['classifiers', 'test', '--call', 'company', 'traits.name=Acme']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--call must be one of track, identify, page, screen, group, alias');
  });

  it('json output: one result per sample', async () => {
    const result = await segmentloomAsync([
      'classifiers',
      'test',
      '--format',
      'json',
      'properties.passport=US',
      'properties.userEmail=jane@example.com',
      'properties.email_subscribed=true',
    ]);
    expect(result.status).toBe(0);
    const results = JSON.parse(result.stdout) as Row[];
    expect(results.map((r) => [r.path, r.category])).toEqual([
      ['properties.passport', null],
      ['properties.userEmail', 'email'],
      ['properties.email_subscribed', null],
    ]);
    expect(results[0]!.note).toMatch(/contradicts/);
  });

  it('says why a key match was not reported: a part-only pattern match, or a confidence below the threshold', async () => {
    const file = write(
      'explain/loyalty.yaml',
      "id: loyalty_number\nname: Loyalty\nclassification: yellow\ncategory: user.unique_id\nkey: { names: [loyalty number] }\nvalue: { patterns: ['LY-\\d{8}'] }\nconfidence: { key: 0.4, keyAndValue: 0.45, threshold: 0.5, keyNeeds: pattern }\n",
    );
    const result = await segmentloomAsync([
      'classifiers',
      'test',
      '--format',
      'json',
      '--file',
      file,
      'properties.loyalty_number=LY-12345678 (gold)',
      'properties.loyalty_number=LY-12345678',
    ]);
    expect(result.status).toBe(0);
    const [part, below] = JSON.parse(result.stdout) as Row[];
    expect(part).toMatchObject({ category: null, note: expect.stringMatching(/contradicts it: no value pattern matches the whole value/) });
    expect(below).toMatchObject({
      category: null,
      note: expect.stringMatching(/value agrees, but key\+value confidence 0\.45 is below the threshold 0\.50, as is key-only/),
    });
  });

  it('a sample without PATH=VALUE is a usage error (2) that does not repeat the value', async () => {
    const result = await segmentloomAsync(['classifiers', 'test', 'jane@example.com']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('sample 1 must be PATH=VALUE');
    expect(result.stderr).not.toContain('jane@example.com');
  });
});

describe('custom classifier patterns run in linear time (RE2)', () => {
  it('a catastrophic-backtracking pattern over a 100 000-character value finishes quickly', async () => {
    // Built from the shipped email classifier: a new id, the pathological pattern, no validators,
    // scanning on, and a maxLength high enough that the long value really reaches the pattern.
    const email = readFileSync(path.join(ROOT, 'classifiers', 'email.yaml'), 'utf8');
    const yaml = email
      .replace(/^id: email$/m, 'id: repeated_a')
      .replace(/^ {2}patterns: .*$/m, () => "  patterns: ['(a+)+$']")
      .replace(/^ {2}validators: .*$/m, '  validators: []')
      .replace(/^ {2}minLength: .*$/m, '  minLength: 1\n  maxLength: 1000000')
      .replace(/^ {2}requireAnyOf: .*$/m, '');
    expect(yaml).toContain("patterns: ['(a+)+$']");
    expect(yaml).toMatch(/^ {2}scan: true$/m);
    expect(yaml).toMatch(/^ {2}validators: \[\]$/m);
    expect(yaml).toMatch(/^ {2}maxLength: 1000000$/m);
    write('pathological/repeated_a.yaml', yaml);
    const events = ndjson([{ type: 'track', event: 'Blob', timestamp: '2024-01-01T00:00:00Z', properties: { blob: `${'a'.repeat(100_000)}!`, hit: 'aaaa' } }]);

    const result = await segmentloomAsync(['scan', '--classifiers', path.join(tmp, 'pathological'), '--format', 'json'], { input: events, timeoutMs: 10_000 });
    expect(result.signal, 'killed by the 10 s timeout').toBeNull();
    expect(result.status).toBe(0);
    const records = parseJson(result);
    // The pattern is live (it classifies a short run of a's) …
    expect(byPath(records, 'properties.hit', 'Blob')).toMatchObject({ category: 'repeated_a', matchedOn: 'value' });
    // … and the long value, which it cannot match ("!" at the end), is scanned and left green.
    expect(byPath(records, 'properties.blob', 'Blob')).toMatchObject({ category: null, classification: 'green' });
  }, 20_000);
});

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
