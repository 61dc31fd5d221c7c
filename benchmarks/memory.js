// Memory under high-cardinality keys: in-process detection and inventory folding (the scan path:
// Detector + EventScanner + InventoryAggregator) over events whose keys are new in almost every
// event (unique property names, unique nested keys, unique user ids, 1,000 event names), measured
// as RSS after a full GC at 100k events and again at 1M events of the same run. Every cache on
// that path is bounded (path tries: 200k nodes per event name; event names: 50k buckets; key
// decisions: per trie node); their sizes are printed beside the figures. Target (issue 14): RSS at
// 1M within 10% of RSS at 100k.
//   node --expose-gc benchmarks/memory.js   (after npm run build; MEMORY_EVENTS sets the end, default 1000000)
import { loadavg } from 'node:os';
import { Detector, loadClassifierSet } from '../dist/detect/index.js';
import { EventScanner } from '../dist/pipeline/event-scanner.js';
import { createRandom } from './corpus.js';
import { ratio, target } from './targets.js';

const END = Number(process.env.MEMORY_EVENTS ?? 1_000_000);
const CHECKPOINT = Math.min(100_000, Math.floor(END / 10));
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const r = createRandom((Date.now() ^ process.pid) >>> 0);
/**
 * An event with two keys seen nowhere else, a nested unique key, and a unique subject.
 * @param {number} i
 */
function event(i) {
  return JSON.stringify({
    type: 'track',
    event: `Event ${i % 1000}`,
    messageId: `m-${i}`,
    userId: `user-${i}`,
    properties: {
      [`field_${i}_email`]: `person${i}@example.org`,
      [`attr_${r.int(0, 1e9)}`]: r.int(0, 1e6),
      nested: { [`k${i}`]: { phone: `+1 415 555 ${String(i % 10_000).padStart(4, '0')}` } },
      plan: 'pro',
    },
  });
}

function rssAfterGc() {
  // Present: checked at start-up.
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

/**
 * The sizes of the scan path's caches.
 * @param {EventScanner} scanner
 */
function sizes(scanner) {
  // The aggregator's buckets are private: the benchmark reads them to report the caches' sizes.
  const { buckets } = /** @type {{ buckets: Map<string, Map<string, import('../dist/inventory/aggregate.js').EventBucket>> }} */ (
    /** @type {unknown} */ (scanner.aggregator)
  );
  let eventNames = 0;
  let trieNodes = 0;
  let points = 0;
  for (const bySource of buckets.values()) {
    for (const bucket of bySource.values()) {
      eventNames++;
      trieNodes += bucket.trie.size;
      points += bucket.points.length;
    }
  }
  return { eventNames, trieNodes, points, bound: scanner.aggregator.pathCount.max };
}

console.log(
  `  load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const set = await loadClassifierSet();
const scanner = new EventScanner(new Detector(set.classifiers));
/** @type {number[]} */
const marks = [];
for (let i = 0; i < END; i++) {
  const outcome = scanner.scanText(event(i), 'bench');
  if (!outcome.ok) throw new Error(`event ${i} was refused: ${outcome.reason}`);
  if (i + 1 === CHECKPOINT || i + 1 === END) {
    const mb = rssAfterGc();
    const s = sizes(scanner);
    marks.push(mb);
    console.log(
      `  after ${(i + 1).toLocaleString('en-US')} events: RSS ${mb.toFixed(0)} MB; event names ${s.eventNames.toLocaleString('en-US')}, trie nodes ${s.trieNodes.toLocaleString('en-US')} (bound ${s.bound.toLocaleString('en-US')}), inventory points ${s.points.toLocaleString('en-US')}`,
    );
  }
}
// The governing figure: RSS at 100k over RSS at 1M (1.0x flat; >= 0.91x is within +10%).
target(
  `RSS at ${CHECKPOINT.toLocaleString('en-US')} / RSS at ${END.toLocaleString('en-US')} events (flat within 10%)`,
  (marks[0] ?? Number.NaN) / (marks[1] ?? Number.NaN),
  1 / 1.1,
  ratio(2),
);
console.log(
  `  load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
