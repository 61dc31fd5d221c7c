// Cost per event of the detection hot path (EventScanner: parse, walk, classify keys and values,
// aggregate) against what drives it: PII values per event (0, 2, 5, 10), event size (1, 10,
// 100 KB), classifier count (built-in, +20, +100 custom) and distinct paths (1k, 100k). Each cell
// is raced against bare JSON.parse + JSON.stringify of the same events in the same run, so the
// ratio column stays meaningful on a loaded machine. No targets: it shows how cost grows.
//   node benchmarks/cost-matrix.js   (after npm run build)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allFakers } from '@faker-js/faker';
import { BUILTIN_CLASSIFIERS_DIR, createDetector, loadClassifierSet } from '../dist/detect/index.js';
import { EventScanner } from '../dist/pipeline/event-scanner.js';
import { race } from './detect.js';
import { freshSeed } from './dense-corpus.js';

const PII = [
  (f) => ['contactEmail', f.internet.email()],
  (f) => ['mobilePhone', f.phone.number()],
  (f) => ['holderName', f.person.fullName()],
  (f) => ['streetAddress', f.location.streetAddress()],
  (f) => ['clientIp', f.internet.ipv4()],
  (f) => ['cardNumber', f.finance.creditCardNumber()],
  (f) => ['ibanCode', f.finance.iban()],
  (f) => ['birthDate', f.date.birthdate().toISOString().slice(0, 10)],
  (f) => ['supportMessage', `Please call me on ${f.phone.number()}, ${f.person.firstName()}`],
  (f) => ['surname', f.person.lastName()],
];

/** Non-personal filler fields: plan names, counters, flags, product text. */
function filler(f, i) {
  const kind = i % 4;
  if (kind === 0) return f.commerce.productName();
  if (kind === 1) return f.number.int({ min: 0, max: 99999 });
  if (kind === 2) return f.datatype.boolean();
  return f.commerce.department();
}

/**
 * Events of about `bytes` bytes with `pii` personal values, keys drawn from `paths` distinct
 * filler paths (spread over 10 event names).
 */
function events(f, count, { pii = 5, bytes = 1024, paths = 1000 }) {
  const lines = [];
  for (let n = 0; n < count; n++) {
    const properties = {};
    for (let i = 0; i < pii; i++) {
      const [key, value] = PII[i % PII.length](f);
      properties[i < PII.length ? key : `${key}${i}`] = value;
    }
    const event = {
      type: 'track',
      event: `Event ${f.number.int({ min: 1, max: 10 })}`,
      messageId: f.string.uuid(),
      userId: f.string.alphanumeric(12),
      timestamp: f.date.recent().toISOString(),
      properties,
    };
    // Filler keys from a pool of `paths` / 10 per event name (10 names), each key once per event;
    // past the pool, one long description brings the event to its size.
    const pool = Math.max(1, Math.floor(paths / 10));
    const start = f.number.int({ min: 0, max: pool - 1 });
    let text = JSON.stringify(event);
    for (let i = 0; text.length < bytes && i < pool && i < 40; i++) {
      properties[`field_${(start + i) % pool}`] = filler(f, i);
      text = JSON.stringify(event);
    }
    if (text.length < bytes) properties.description = f.lorem.paragraphs(Math.ceil((bytes - text.length) / 400)).slice(0, bytes - text.length);
    lines.push(JSON.stringify(event));
  }
  return lines;
}

/** `count` custom classifiers (key names + a pattern scanned under any key), as a classifier directory. */
function customClassifiers(count) {
  const dir = mkdtempSync(path.join(tmpdir(), 'segmentloom-bench-classifiers-'));
  for (let i = 0; i < count; i++) {
    writeFileSync(
      path.join(dir, `custom_${i}.yaml`),
      [
        `id: custom_${i}`,
        `name: Custom id ${i}`,
        'classification: yellow',
        'category: user.unique_id',
        'key:',
        `  names: [member code ${i}, loyalty ref ${i}]`,
        'value:',
        '  types: [string]',
        `  patterns: ['\\bC${i}-[0-9]{6}\\b']`,
        '  scan: true',
        `  minLength: ${9 + String(i).length}`,
        '  minDigits: 6',
        "  requireAnyOf: '-'",
        'confidence: { key: 0.6, value: 0.8, keyAndValue: 0.95, keyNeeds: pattern }',
        '',
      ].join('\n'),
    );
  }
  return dir;
}

async function cell(label, lines, set) {
  const scanner = new EventScanner(createDetector(set));
  for (const line of lines.slice(0, Math.min(lines.length, 2000))) scanner.scanText(line, 'bench');
  let sink = 0;
  const [floor, hot] = race(
    [
      [
        'parse+stringify',
        (ls) => {
          for (const l of ls) sink += JSON.stringify(JSON.parse(l)).length;
        },
      ],
      [
        'hot path',
        (ls) => {
          for (const l of ls) scanner.scanText(l, 'bench');
        },
      ],
    ],
    lines,
    3,
  );
  const us = 1e6 / hot.perSecond;
  console.log(
    `  ${label.padEnd(34)} ${us.toFixed(1).padStart(9)} µs/event  ${(hot.perSecond / floor.perSecond).toFixed(2)}x parse+stringify  (${lines.length} events)${sink < 0 ? '' : ''}`,
  );
}

export async function runCostMatrix(seed = Number(process.env.BENCH_SEED) || freshSeed()) {
  const f = allFakers.en_US;
  f.seed(seed);
  const builtin = await loadClassifierSet();
  console.log(`\n## Detection cost per event (faker seed ${seed})`);
  console.log('PII values per event (~1 KB events, 1k paths):');
  for (const pii of [0, 2, 5, 10]) await cell(`${pii} PII values`, events(f, 3000, { pii }), builtin);
  console.log('Event size (5 PII values):');
  for (const [kb, count] of [
    [1, 3000],
    [10, 600],
    [100, 60],
  ])
    await cell(`${kb} KB`, events(f, count, { bytes: kb * 1024 }), builtin);
  console.log('Classifier count (~1 KB, 5 PII values):');
  const sizes = [0, 20, 100];
  const lines = events(f, 3000, { pii: 5 });
  for (const extra of sizes) {
    const dir = extra > 0 ? customClassifiers(extra) : null;
    try {
      const set = dir === null ? builtin : await loadClassifierSet([BUILTIN_CLASSIFIERS_DIR, dir]);
      await cell(extra === 0 ? `built-in (${builtin.classifiers.length})` : `built-in + ${extra} custom`, lines, set);
    } finally {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('Distinct paths (~1 KB, 5 PII values):');
  for (const paths of [1000, 100_000]) await cell(`${paths.toLocaleString('en-US')} paths`, events(f, 3000, { paths }), builtin);
}

if (import.meta.url === `file://${process.argv[1]}`) await runCostMatrix();
