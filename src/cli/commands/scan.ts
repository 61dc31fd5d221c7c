import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
// Through the detect surface (lint:deps); the scan bundle leaves out what of it scan does not use.
import { Detector, loadClassifierSet } from '../../detect/index.js';
import { DEFAULT_LIMITS } from '../../events/index.js';
import { formatRecords, RECORD_FORMATS, type RecordFormat } from '../../inventory/format.js';
import { terminalTable } from '../../inventory/terminal-table.js';
import { EventScanner } from '../../pipeline/event-scanner.js';
import { EXIT, UsageError } from '../io.js';
import { forEachLine } from '../ndjson-lines.js';
import { defineCommand } from '../registry.js';

const HELP = `Usage: segmentloom scan [FILE|-]... [options]

Reads NDJSON Segment events (files, or stdin when no file or "-") and prints the data inventory
they imply: one record per (source, event, path).

Options:
  --classifiers DIR   classifier directory (repeatable; default: the built-in set)
  --source NAME       source name recorded for these events (default: "default")
  --format FORMAT     table (default; 80 columns, green rows hidden) | json | ndjson | csv
  --all               table: also the green rows (no personal data found)
  --max-depth N       nesting limit per event (default ${DEFAULT_LIMITS.maxDepth})
  --max-bytes N       size limit per event line (default ${DEFAULT_LIMITS.maxBytes})
  -h, --help          this help

Invalid lines are counted and reported on stderr with their line numbers; they never abort the scan.
`;

export const run = defineCommand({
  name: 'scan',
  help: HELP,
  options: {
    classifiers: { type: 'string', multiple: true },
    source: { type: 'string', default: 'default' },
    format: { type: 'string', default: 'table' },
    all: { type: 'boolean' },
    'max-depth': { type: 'string' },
    'max-bytes': { type: 'string' },
  },
  handler: async ({ values, args: positionals, io }) => {
    const format = values.format as RecordFormat;
    if (!RECORD_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${RECORD_FORMATS.join(', ')}, got "${values.format}"`);
    const limits = {
      ...DEFAULT_LIMITS,
      maxDepth: positiveInt(values['max-depth'], '--max-depth', DEFAULT_LIMITS.maxDepth),
      maxBytes: positiveInt(values['max-bytes'], '--max-bytes', DEFAULT_LIMITS.maxBytes),
    };
    const inputs = positionals.length > 0 ? positionals : ['-'];
    for (const input of inputs) {
      if (input === '-') continue;
      try {
        await access(input);
      } catch {
        throw new UsageError(`cannot read input file ${input}`);
      }
      if ((await stat(input)).isDirectory()) throw new UsageError(`${input} is a directory, not an NDJSON file`);
    }

    const set = await loadClassifierSet(values.classifiers);
    const scanner = new EventScanner(new Detector(set.classifiers), limits);
    const progress = io.stderr.isTTY ? startProgress(io.stderr) : null;
    const source = values.source!;
    let events = 0;
    let invalid = 0;
    for (const input of inputs) {
      const label = input === '-' ? 'stdin' : input;
      // Large reads: fewer chunks to decode and split per MB (the default is 64 KiB).
      const stream = input === '-' ? (io.stdin ?? process.stdin) : createReadStream(input, { highWaterMark: 1 << 20 });
      let lineNumber = 0;
      await forEachLine(stream as AsyncIterable<Buffer | string>, (line) => {
        lineNumber++;
        if (line.trim() === '') return;
        const outcome = scanner.scanText(line, source);
        if (outcome.ok) {
          events++;
        } else {
          invalid++;
          io.stderr.write(`${progress ? '\r\x1b[K' : ''}${label}:${lineNumber}: skipped: ${outcome.reason}\n`);
        }
        if (progress) progress.count = events + invalid;
      });
    }
    progress?.stop();
    const records = scanner.aggregator.records();
    io.stdout.write(format === 'table' ? terminalTable(records, { all: values.all === true }) : formatRecords(records, format));
    io.stderr.write(`scanned ${events} events, ${invalid} invalid line${invalid === 1 ? '' : 's'}\n`);
    return EXIT.ok;
  },
});

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return value;
}

/** A one-line counter on a terminal's stderr, redrawn once a second. */
function startProgress(stderr: NodeJS.WritableStream) {
  const state = {
    count: 0,
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[K');
    },
  };
  const started = Date.now();
  const timer = setInterval(() => {
    const seconds = (Date.now() - started) / 1000;
    stderr.write(`\r\x1b[Kscanning: ${state.count} lines (${Math.round(state.count / seconds)}/s)`);
  }, 1000);
  timer.unref();
  return state;
}
