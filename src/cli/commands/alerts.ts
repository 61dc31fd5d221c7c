import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AlertsConfigError, parseAlertsConfig } from '../../alerts/config.js';
import { DeliveryError } from '../../alerts/errors.js';
import { sendTestAlert } from '../../alerts/test-alert.js';
import { EXIT, type Command } from '../io.js';
import { writeConfigError } from '../arg-errors.js';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

// The CLI's shared exit statuses: scripts can tell a typo (usage), a config problem and a receiver that is down (failure) apart.
const EX_OK = EXIT.ok;
const EX_USAGE = EXIT.usage;
const EX_CONFIG = EXIT.config;
const EX_UNAVAILABLE = EXIT.failure;

const USAGE = `usage: segmentloom alerts test <channel-name> --config FILE

Sends one clearly synthetic alert through the named channel of the config's \`alerts:\` section,
without routes, digest, rate limit or retries, and prints the receiver's answer.
`;

/** `segmentloom alerts …`; argv is what follows `alerts` (a leading `alerts` is tolerated). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = argv[0] === 'alerts' ? argv.slice(1) : [...argv];
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout.write(USAGE);
    return EX_OK;
  }
  if ('error' in parsed) {
    io.stderr.write(`segmentloom alerts: ${parsed.error}\n${USAGE}`);
    return EX_USAGE;
  }

  let text: string;
  try {
    text = await readFile(parsed.config, 'utf8');
  } catch {
    io.stderr.write(`segmentloom alerts: cannot read config file ${parsed.config}\n`);
    return EX_CONFIG;
  }

  let section: unknown;
  try {
    section = (parseYaml(text) as { alerts?: unknown } | null)?.alerts;
  } catch (err) {
    io.stderr.write(`segmentloom alerts: ${parsed.config} is not valid YAML${err instanceof Error ? `: ${err.message.split('\n')[0]}` : ''}\n`);
    return EX_CONFIG;
  }
  if (section === undefined || section === null) {
    io.stderr.write(`segmentloom alerts: ${parsed.config} has no \`alerts:\` section\n`);
    return EX_CONFIG;
  }

  let config;
  try {
    config = parseAlertsConfig(section, io.env);
  } catch (err) {
    // `file: field: problem`, as the engine reports the same section; never a value.
    if (!(err instanceof AlertsConfigError)) throw err;
    writeConfigError(io.stderr, 'alerts', err.inFile(resolve(parsed.config)));
    return EX_CONFIG;
  }

  const channel = config.channels.find((c) => c.name === parsed.channel);
  if (!channel) {
    const names = config.channels.map((c) => c.name).join(', ') || '(none)';
    io.stderr.write(`segmentloom alerts: no channel named "${parsed.channel}" (channels: ${names})\n`);
    return EX_CONFIG;
  }

  try {
    const alert = await sendTestAlert(channel, { baseUrl: config.baseUrl });
    io.stdout.write(`sent test alert ${alert.id} to ${channel.type} channel "${channel.name}"\n`);
    return EX_OK;
  } catch (err) {
    // DeliveryError messages carry the status only, never the (secret) receiver URL.
    const why = err instanceof DeliveryError ? err.message : 'delivery failed';
    io.stderr.write(`segmentloom alerts: test alert not delivered: ${why}\n`);
    return EX_UNAVAILABLE;
  }
}

function parseArgs(args: string[]): { help: true } | { error: string } | { channel: string; config: string } {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) return { help: true };
  const [sub, ...rest] = args;
  if (sub !== 'test') return { error: `unknown subcommand "${sub ?? ''}"` };
  let config: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--config' || a === '-c') {
      config = rest[++i];
      if (config === undefined) return { error: '--config needs a file' };
    } else if (a.startsWith('--config=')) {
      config = a.slice('--config='.length);
    } else if (a.startsWith('-')) {
      return { error: `unknown option ${a}` };
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) return { error: 'expected exactly one channel name' };
  if (!config) return { error: '--config FILE is required' };
  return { channel: positional[0]!, config };
}

// Compile-time check that `run` plugs into the CLI's command table (src/cli/main.ts).
const _asCommand: Command = run;
void _asCommand;
