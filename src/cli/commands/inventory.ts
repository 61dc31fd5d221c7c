import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CLASSIFICATIONS, type Classification } from '../../detect/index.js';
import { inventoryToCsv } from '../../inventory/csv.js';
import { addToInventory, destinationsForCategory, listDataPoints, setClassification, topRedSources } from '../../inventory/review.js';
import type { InventoryStatus, StoredDataPoint } from '../../inventory/store.js';
import { DB_HELP, DB_OPTIONS, formatTable, openCliDb } from '../db-options.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

const HELP = `Usage: segmentloom inventory <command> [options]

Reviews the durable data inventory that running engines share.

Commands:
  list [--status inbox|inventory] [--source S] [--classification red|yellow|green]
       [--category C] [--format table|csv|json]      list data points (default: all)
  classify <source> <event> <path> <red|yellow|green>  set the reviewed classification
  accept <source> <event> <path> [--as red|yellow|green]
                                                       add a point to the inventory (leaves the inbox)
  export-csv [--output FILE]                           the whole inventory as CSV (stdout by default)
  top-red-sources [--limit N] [--format table|json]   sources ranked by red data points
  destinations <category> [--format table|json]       destinations that received a category
                                                       (classifier id or fideslang category)

${DB_HELP}`;

const STATUSES: readonly InventoryStatus[] = ['inbox', 'inventory'];

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...DB_OPTIONS,
      status: { type: 'string' },
      source: { type: 'string' },
      classification: { type: 'string' },
      category: { type: 'string' },
      format: { type: 'string', default: 'table' },
      output: { type: 'string', short: 'o' },
      as: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined) {
    io.stdout.write(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const format = oneOf(values.format!, ['table', 'csv', 'json'] as const, '--format');
  const db = await openCliDb(values, io.env);
  try {
    switch (command) {
      case 'list': {
        const points = await listDataPoints(db, {
          status: values.status === undefined ? undefined : oneOf(values.status, STATUSES, '--status'),
          source: values.source,
          classification: values.classification === undefined ? undefined : classification(values.classification),
          category: values.category,
        });
        io.stdout.write(format === 'csv' ? inventoryToCsv(points) : format === 'json' ? json(points) : pointsTable(points));
        return EXIT.ok;
      }
      case 'classify': {
        const [source, event, path, level] = exactly(args, 4, 'classify <source> <event> <path> <red|yellow|green>');
        return report(io, await setClassification(db, { source, event, path }, classification(level)), 'classified');
      }
      case 'accept': {
        const [source, event, path] = exactly(args, 3, 'accept <source> <event> <path> [--as red|yellow|green]');
        const as = values.as === undefined ? undefined : classification(values.as);
        return report(io, await addToInventory(db, { source, event, path }, as), 'accepted into the inventory');
      }
      case 'export-csv': {
        exactly(args, 0, 'export-csv [--output FILE]');
        const csv = inventoryToCsv(await listDataPoints(db, { limit: 1_000_000 }));
        if (values.output) await writeFile(values.output, csv);
        else io.stdout.write(csv);
        return EXIT.ok;
      }
      case 'top-red-sources': {
        exactly(args, 0, 'top-red-sources [--limit N]');
        const rows = await topRedSources(db, { limit: positiveInt(values.limit, 10) });
        io.stdout.write(format === 'json' ? json(rows) : formatTable(['SOURCE', 'RED POINTS'], rows.map((r) => [r.source, r.redPoints])));
        return EXIT.ok;
      }
      case 'destinations': {
        const [category] = exactly(args, 1, 'destinations <category>');
        const rows = await destinationsForCategory(db, category);
        io.stdout.write(format === 'json' ? json(rows) : formatTable(['DESTINATION', 'POINTS', 'SOURCES'], rows.map((r) => [r.destination, r.points, r.sources])));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown inventory command "${command}" (see --help)`);
    }
  } finally {
    await db.close();
  }
}

function report(io: CliIo, point: StoredDataPoint | null, what: string): number {
  if (!point) {
    io.stderr.write('segmentloom inventory: no such data point\n');
    return EXIT.failure;
  }
  io.stdout.write(`${point.source} / ${point.event} / ${point.path}: ${what} (effective: ${point.effectiveClassification}, status: ${point.status})\n`);
  return EXIT.ok;
}

function pointsTable(points: readonly StoredDataPoint[]): string {
  return formatTable(
    ['CLASS', 'REVIEWED', 'STATUS', 'CATEGORY', 'SOURCE', 'EVENT', 'PATH', 'COUNT', 'DESTINATIONS', 'EXAMPLE', 'LAST SEEN'],
    points.map((p) => [
      p.effectiveClassification, p.reviewedClassification, p.status, p.category, p.source, p.event, p.path, p.count,
      p.destinations.join(',') || null, p.example, p.lastSeen,
    ]),
  );
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function classification(text: string): Classification {
  return oneOf(text, CLASSIFICATIONS, 'classification');
}

function oneOf<T extends string>(text: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

function exactly(args: string[], n: 0, usage: string): [];
function exactly(args: string[], n: 1, usage: string): [string];
function exactly(args: string[], n: 3, usage: string): [string, string, string];
function exactly(args: string[], n: 4, usage: string): [string, string, string, string];
function exactly(args: string[], n: number, usage: string): string[] {
  if (args.length !== n) throw new UsageError(`usage: segmentloom inventory ${usage}`);
  return args;
}

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a positive integer');
  return n;
}

