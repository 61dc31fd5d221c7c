import { parseArgs } from 'node:util';
import { reportCliError } from './arg-errors.js';
import { commandSpecifier } from './bundles.js';
import { EXIT, type CliIo, type Command } from './io.js';
import { unknownCommandMessage } from './suggest.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

// Loaded lazily so `segmentloom scan` does not pay for Kafka, SQL or HTTP modules.
const COMMANDS: Record<string, CommandEntry> = {
  scan: { summary: 'print the data inventory implied by NDJSON events', load: () => loadCommand('scan') },
  classifiers: { summary: 'list, validate and try classifiers (test KEY=VALUE …); show, diff, apply, roll back', load: () => loadCommand('classifiers') },
  policies: { summary: 'show, diff, apply, list versions of and roll back the policy file (--config FILE)', load: () => loadCommand('policies') },
  config: { summary: 'rewrite an engine config: split inline policies into a policyFile', load: () => loadCommand('config') },
  run: { summary: 'run the privacy pipeline (Kafka, or --input FILE with NDJSON outputs)', load: () => loadCommand('run') },
  inventory: { summary: 'review the durable data inventory (inbox, classify, accept, CSV export)', load: () => loadCommand('inventory') },
  requests: { summary: 'deletion and suppression requests, statuses and receipts', load: () => loadCommand('requests') },
  subject: { summary: 'export all stored data of a data subject (access request)', load: () => loadCommand('subject') },
  retention: { summary: 'sweep events past their retention period', load: () => loadCommand('retention') },
  alerts: { summary: 'test a channel, list channels, list and retry the undelivered outbox', load: () => loadCommand('alerts') },
  serve: { summary: 'serve the control-plane HTTP API (inventory, classifiers, policies, requests, keys, audit)', load: () => loadCommand('serve') },
  keys: { summary: 'create, list, rotate and revoke API keys (bootstrap the first owner key)', load: () => loadCommand('keys') },
  ingest: { summary: "serve Segment's HTTP Tracking API in front of the pipeline; manage write keys", load: () => loadCommand('ingest') },
  doctor: { summary: 'check every connection of a config: encrypted or not, TLS version, certificate verified', load: () => loadCommand('doctor') },
  'master-keys': {
    summary: 'rotate the master key online: re-wrap data keys under the newest version, show versions in use',
    load: () => loadCommand('master-keys'),
  },
  dlq: { summary: 'inspect dead-letter records (reasons, no values) and replay them with the master key', load: () => loadCommand('dlq') },
  audit: { summary: 'tail or export the audit log (--config FILE names the store)', load: () => loadCommand('audit') },
  init: { summary: 'create the store (embedded directory or PostgreSQL schema), or migrate an existing one', load: () => loadCommand('init') },
};

async function loadCommand(file: string): Promise<Command> {
  const module = (await import(commandSpecifier(file, import.meta.url))) as { run: Command };
  return module.run;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: segmentloom <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`),
    '',
    "Run `segmentloom <command> --help` for a command's options.",
    '',
  ].join('\n');
}

export async function main(
  argv: string[],
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    io.stderr.write(`segmentloom: ${unknownCommandMessage('command', name, Object.keys(COMMANDS))}\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await (await entry.load())(rest, io);
  } catch (err) {
    // Exit status from the error's code (docs/errors.md); an error without one is a bug.
    const status = reportCliError(name, err, io.stderr);
    if (status === undefined) throw err;
    return status;
  }
}

export { parseArgs };
