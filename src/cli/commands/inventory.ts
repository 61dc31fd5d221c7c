import { readFile, writeFile } from 'node:fs/promises';
import { CLI_ACTOR, writeAudit } from '../../api/audit.js';
import { CLASSIFICATIONS, type Classification } from '../../detect/index.js';
import { BulkSelectionTooLarge, bulkReview, MAX_BULK_POINTS, type BulkChange, type BulkSelection } from '../../inventory/bulk.js';
import { inventoryToCsv } from '../../inventory/csv.js';
import {
  addToInventory,
  countDataPoints,
  getDataPoint,
  destinationsForCategory,
  listDataPoints,
  setClassification,
  topRedSources,
  type ListFilters,
} from '../../inventory/review.js';
import type { InventoryStatus, PointKey, StoredDataPoint } from '../../inventory/store.js';
import type { Db, ScriptDb } from '../../storage/db.js';
import { formatTable } from '../db-options.js';
import { EXIT, NotFoundError, UsageError, type CliIo } from '../io.js';
import { defineCommand, exactArgs, json, oneOf } from '../registry.js';
import { STORE_HELP, STORE_OPTIONS, storeAccess } from '../store.js';

const HELP = `Usage: segmentloom inventory <command> [options]

Reviews the durable data inventory that running engines share. Lists put red points first.

Commands:
  list [FILTERS] [--format table|csv|json]            list data points (default: all), with totals
  classify <source> <event> <path> <red|yellow|green>  set the reviewed classification of one point
  classify <red|yellow|green> (FILTERS | --points FILE) [--yes]
                                                       the same for every point selected
  accept <source> <event> <path> [--as red|yellow|green]
                                                       add a point to the inventory (leaves the inbox)
  accept (FILTERS | --points FILE) [--as C] [--yes]    the same for every point selected
  export-csv [--output FILE]                           the whole inventory as CSV (stdout by default)
  top-red-sources [--limit N] [--format table|json]   sources ranked by red data points
  destinations <category> [--format table|json]       destinations that received a category
                                                       (classifier id or fideslang category)

Filters: --status inbox|inventory, --source S, --event E, --path P, --classification red|yellow|green
(effective: reviewed, else recommended), --category C (classifier id or fideslang category).

Bulk changes (accept or classify without a point's key) count first: without --yes they print how
many points would change and change nothing; with --yes they apply in one transaction, one audit
entry per point (actor: cli). --points FILE (or - for stdin) lists points as NDJSON lines or a JSON
array of {"source","event","path"}. At most ${MAX_BULK_POINTS} points at once; --all selects every point.

${STORE_HELP}`;

const STATUSES: readonly InventoryStatus[] = ['inbox', 'inventory'];

export const run = defineCommand({
  name: 'inventory',
  help: HELP,
  options: {
    ...STORE_OPTIONS,
    status: { type: 'string' },
    source: { type: 'string' },
    event: { type: 'string' },
    path: { type: 'string' },
    classification: { type: 'string' },
    category: { type: 'string' },
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
    as: { type: 'string' },
    limit: { type: 'string' },
    points: { type: 'string' },
    all: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
  },
  subcommands: ['list', 'classify', 'accept', 'export-csv', 'top-red-sources', 'destinations'],
  async handler({ values, sub, args, io }) {
    const format = oneOf(values.format!, ['table', 'csv', 'json'] as const, '--format');
    const filters: ListFilters = {
      status: values.status === undefined ? undefined : oneOf(values.status, STATUSES, '--status'),
      source: values.source,
      event: values.event,
      path: values.path,
      classification: values.classification === undefined ? undefined : classification(values.classification),
      category: values.category,
    };
    const store = await storeAccess(values, io);
    // A bulk selection is read (and checked) before the store is opened.
    const bulk =
      sub === 'accept' && args.length !== 3
        ? exactArgs(args, 0, 'inventory accept (FILTERS | --points FILE) [--as C] [--yes]')
        : sub === 'classify' && args.length !== 4
          ? exactArgs(args, 1, 'inventory classify <red|yellow|green> (FILTERS | --points FILE) [--yes]')
          : null;
    const selection = bulk === null ? null : await selectionOf(filters, values, io);
    const db = await store.open();
    try {
      if (selection !== null) {
        const change: BulkChange =
          sub === 'classify'
            ? { kind: 'classify', classification: classification(bulk![0]!) }
            : { kind: 'accept', classification: values.as === undefined ? undefined : classification(values.as) };
        return await bulkCommand(db, selection, change, { dryRun: values['dry-run'] === true || values.yes !== true }, io);
      }
      switch (sub) {
        case 'list': {
          const points = await listDataPoints(db, filters);
          if (format === 'csv') io.stdout.write(inventoryToCsv(points));
          else if (format === 'json') io.stdout.write(json(points));
          else {
            const t = await countDataPoints(db, filters);
            io.stdout.write(
              `${pointsTable(points)}${t.total} points: ${t.red} red, ${t.yellow} yellow, ${t.green} green${t.total > points.length ? ` (${points.length} shown)` : ''}\n`,
            );
          }
          return EXIT.ok;
        }
        case 'classify': {
          const [source, event, path, level] = exactArgs(args, 4, 'inventory classify <source> <event> <path> <red|yellow|green>');
          const key = { source: source!, event: event!, path: path! };
          const level2 = classification(level!);
          return report(io, await audited(db, key, 'inventory.classify', (tx) => setClassification(tx, key, level2)), 'classified');
        }
        case 'accept': {
          const [source, event, path] = exactArgs(args, 3, 'inventory accept <source> <event> <path> [--as red|yellow|green]');
          const as = values.as === undefined ? undefined : classification(values.as);
          const key = { source: source!, event: event!, path: path! };
          return report(io, await audited(db, key, 'inventory.accept', (tx) => addToInventory(tx, key, as)), 'accepted into the inventory');
        }
        case 'export-csv': {
          exactArgs(args, 0, 'inventory export-csv [--output FILE]');
          const csv = inventoryToCsv(await listDataPoints(db, { limit: 1_000_000 }));
          if (values.output) await writeFile(values.output, csv);
          else io.stdout.write(csv);
          return EXIT.ok;
        }
        case 'top-red-sources': {
          exactArgs(args, 0, 'inventory top-red-sources [--limit N]');
          const rows = await topRedSources(db, { limit: positiveInt(values.limit, 10) });
          io.stdout.write(
            format === 'json'
              ? json(rows)
              : formatTable(
                  ['SOURCE', 'RED POINTS'],
                  rows.map((r) => [r.source, r.redPoints]),
                ),
          );
          return EXIT.ok;
        }
        default: {
          const [category] = exactArgs(args, 1, 'inventory destinations <category>');
          const rows = await destinationsForCategory(db, category!);
          io.stdout.write(
            format === 'json'
              ? json(rows)
              : formatTable(
                  ['DESTINATION', 'POINTS', 'SOURCES'],
                  rows.map((r) => [r.destination, r.points, r.sources]),
                ),
          );
          return EXIT.ok;
        }
      }
    } finally {
      await db.close();
    }
  },
});

async function selectionOf(filters: ListFilters, values: { points?: string; all?: boolean }, io: CliIo): Promise<BulkSelection> {
  const filtered = Object.values(filters).some((v) => v !== undefined);
  if (values.points !== undefined) {
    if (filtered || values.all) throw new UsageError('--points lists the points itself: leave out the filters and --all');
    const text =
      values.points === '-'
        ? await readAll(io.stdin ?? process.stdin)
        : await readFile(values.points, 'utf8').catch(() => {
            throw new UsageError(`cannot read --points file ${values.points}`);
          });
    return { points: parsePoints(text) };
  }
  if (!filtered && !values.all) throw new UsageError('a bulk change needs filters (--source, --classification, …), --points FILE, or --all for every point');
  return { filters };
}

/** `{"source","event","path"}` objects: a JSON array, or one per line (NDJSON). */
export function parsePoints(text: string): PointKey[] {
  const trimmed = text.trim();
  let items: unknown[];
  try {
    items = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown);
  } catch {
    throw new UsageError('--points must hold a JSON array or NDJSON lines of {"source","event","path"}');
  }
  return items.map((item, i) => {
    const o = item as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || !['source', 'event', 'path'].every((k) => typeof o[k] === 'string' && o[k] !== '')) {
      throw new UsageError(`--points: item ${i + 1} needs non-empty "source", "event" and "path" strings`);
    }
    return { source: o.source as string, event: o.event as string, path: o.path as string };
  });
}

async function bulkCommand(db: ScriptDb, selection: BulkSelection, change: BulkChange, options: { dryRun: boolean }, io: CliIo): Promise<number> {
  const action = change.kind === 'classify' ? 'inventory.classify' : 'inventory.accept';
  let result;
  try {
    result = await bulkReview(db, selection, change, {
      dryRun: options.dryRun,
      onChange: (tx, before, after) =>
        writeAudit(tx, {
          actor: CLI_ACTOR,
          action,
          targetType: 'data_point',
          targetId: JSON.stringify([after.source, after.event, after.path]),
          before: reviewState(before),
          after: reviewState(after),
        }),
    });
  } catch (err) {
    if (err instanceof BulkSelectionTooLarge) throw new UsageError(err.message);
    throw err;
  }
  const verb = change.kind === 'classify' ? `classify as ${change.classification}` : `accept${change.classification ? ` as ${change.classification}` : ''}`;
  const t = result.totals;
  const line = `${result.matched} points matched (${t.red} red, ${t.yellow} yellow, ${t.green} green); ${result.changed} ${result.dryRun ? 'would change' : 'changed'}: ${verb}`;
  io.stdout.write(json(result));
  io.stderr.write(`segmentloom inventory: ${line}${result.dryRun ? '. Nothing changed: run again with --yes to apply.' : '.'}\n`);
  if (result.missing.length > 0) io.stderr.write(`segmentloom inventory: ${result.missing.length} listed point(s) do not exist\n`);
  return EXIT.ok;
}

/** One change and its audit entry (actor: cli) in one transaction, as the API does. */
function audited(db: ScriptDb, key: PointKey, action: string, apply: (tx: Db) => Promise<StoredDataPoint | null>): Promise<StoredDataPoint | null> {
  return db.transaction(async (tx) => {
    const before = await getDataPoint(tx, key);
    if (!before) return null;
    const after = await apply(tx);
    if (after)
      await writeAudit(tx, {
        actor: CLI_ACTOR,
        action,
        targetType: 'data_point',
        targetId: JSON.stringify([key.source, key.event, key.path]),
        before: reviewState(before),
        after: reviewState(after),
      });
    return after;
  });
}

/** What the audit log keeps of a point: its review state, not its (masked) example. */
function reviewState(point: StoredDataPoint) {
  return {
    classification: point.classification,
    reviewedClassification: point.reviewedClassification,
    effectiveClassification: point.effectiveClassification,
    status: point.status,
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return text;
}

function report(io: CliIo, point: StoredDataPoint | null, what: string): number {
  if (!point) throw new NotFoundError('data point');
  io.stdout.write(`${point.source} / ${point.event} / ${point.path}: ${what} (effective: ${point.effectiveClassification}, status: ${point.status})\n`);
  return EXIT.ok;
}

function pointsTable(points: readonly StoredDataPoint[]): string {
  return formatTable(
    ['CLASS', 'REVIEWED', 'STATUS', 'CATEGORY', 'SOURCE', 'EVENT', 'PATH', 'COUNT', 'DESTINATIONS', 'EXAMPLE', 'LAST SEEN'],
    points.map((p) => [
      p.effectiveClassification,
      p.reviewedClassification,
      p.status,
      p.category,
      p.source,
      p.event,
      p.path,
      p.count,
      p.destinations.join(',') || null,
      p.example,
      p.lastSeen,
    ]),
  );
}

function classification(text: string): Classification {
  return oneOf(text, CLASSIFICATIONS, 'classification');
}

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a positive integer');
  return n;
}
