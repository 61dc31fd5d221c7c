import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the binary runs from here, as a user would run it. */
export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = 'bin/segmentloom.js';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds the process took. */
  elapsed: number;
}

/** The CLI is compiled to dist/ (`npm test` builds first); say so plainly when it is missing. */
export function requireBuild(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` before these tests (npm test does it)');
  }
}

/** Events as NDJSON text. */
export function ndjson(events: readonly unknown[]): string {
  return `${events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n')}\n`;
}

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks; rows end in CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      // CRLF: the \n ends the row
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The table's column titles and the record field each one shows. */
export const TABLE_TITLES: Record<string, string> = {
  CLASS: 'classification',
  CATEGORY: 'category',
  SOURCE: 'source',
  EVENT: 'event',
  PATH: 'path',
  ON: 'matchedOn',
  CONF: 'confidence',
  COUNT: 'count',
  EXAMPLE: 'example',
  MATCHER: 'matcher',
  'DATA CATEGORY': 'dataCategory',
  'FIRST SEEN': 'firstSeen',
  'LAST SEEN': 'lastSeen',
};

/**
 * Parses the aligned table: titles are separated by two or more spaces (a title may hold one, as
 * in `DATA CATEGORY`) and give each column's start offset; cells are padded to the column width.
 * Returns the titles in order and one title → cell map per row.
 */
export function parseTable(text: string): { titles: string[]; rows: Array<Record<string, string>> } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = lines[0] ?? '';
  const titles = header.split(/ {2,}/);
  const starts: number[] = [];
  let from = 0;
  for (const title of titles) {
    const at = header.indexOf(title, from);
    starts.push(at);
    from = at + title.length;
  }
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    titles.forEach((title, i) => {
      row[title] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
    });
    return row;
  });
  return { titles, rows };
}

/**
 * Runs `node bin/segmentloom.js …args` from the repository root without blocking this process:
 * a blocked worker cannot answer vitest's RPC ("Timeout calling onTaskUpdate" under load), and
 * servers living in the test process (HTTPS receivers, …) must answer while the CLI runs.
 * `input` is written to stdin, then stdin is closed; past `timeoutMs` the child gets SIGKILL.
 */
export function segmentloomAsync(args: readonly string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    // A child that exits without reading all of stdin makes the write fail with EPIPE: not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, elapsed: Date.now() - started });
    });
  });
}
