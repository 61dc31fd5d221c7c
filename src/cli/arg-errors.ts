import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../core/errors-config.js';
import { EXIT, SegmentloomError, UsageError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { printable } from './suggest.js';

/**
 * node:util's parseArgs, with our own messages for wrong flags: an unknown flag is named with a
 * "did you mean" among the command's flags, a flag without its value says so, and nothing the
 * person typed as a value is repeated (Node's text quotes the argument, which may be an email).
 */
export function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof nodeParseArgs<T>> {
  try {
    return nodeParseArgs(config);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw flagError(code, err.message, config);
    throw err;
  }
}

function flagError(code: string, nodeMessage: string, config: ParseArgsConfig): UsageError {
  const options = config.options ?? {};
  const long = Object.keys(options).map((name) => `--${name}`);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = firstUnknownFlag(config.args ?? [], options);
      const shown = flag === undefined ? undefined : printable(flag);
      if (shown === undefined) return new UsageError('unknown flag (see --help)');
      const hint = flag!.startsWith('--') ? didYouMean(flag!, long, (s) => s) : '';
      return new UsageError(`unknown flag ${shown}${hint === '' ? ' (see --help)' : hint}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // Node names the option as it is configured ("Option '-c, --config <value>' …"): our text, not the argument.
      const name = /--([A-Za-z0-9-]+)/.exec(nodeMessage)?.[1];
      const flag = name === undefined ? 'a flag' : `--${name}`;
      if (/argument missing/.test(nodeMessage)) return new UsageError(`${flag} needs a value (${flag} VALUE)`);
      if (/does not take an argument/.test(nodeMessage)) return new UsageError(`${flag} takes no value`);
      return new UsageError(`${flag}: unusable value (see --help)`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError('unexpected argument: this command takes flags only (see --help)');
    default:
      return new UsageError('unusable arguments (see --help)');
  }
}

/** The first `-x`/`--name` in `args` (before `--`) that none of `options` declares. */
function firstUnknownFlag(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string | undefined {
  const shorts = new Set(Object.values(options).flatMap((o) => (o.short === undefined ? [] : [o.short])));
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0]!;
      if (!Object.hasOwn(options, name)) return `--${name}`;
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (const ch of arg.slice(1)) if (!shorts.has(ch)) return `-${ch}`;
    }
  }
  return undefined;
}

/** The one wording of a configuration error on stderr: `segmentloom CMD: invalid configuration:` then `file: field: problem` lines. */
export function writeConfigError(stderr: NodeJS.WritableStream | { write(s: string): unknown }, command: string, err: ConfigError): void {
  stderr.write(`segmentloom ${command}: invalid configuration:\n${err.message}\n`);
}

/**
 * Reports an error that ended a command and gives its exit status, from the error's code
 * (docs/errors.md); undefined for an error without a code (a bug: the caller rethrows it).
 */
export function reportCliError(command: string, err: unknown, stderr: NodeJS.WritableStream | { write(s: string): unknown }): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    // A command that calls node:util's parseArgs directly: still no raw Node text.
    stderr.write(`segmentloom ${command}: ${flagError(code, err.message, {}).message}\n`);
    return EXIT.usage;
  }
  if (!(err instanceof SegmentloomError)) return undefined;
  if (err instanceof ConfigError) writeConfigError(stderr, command, err);
  else stderr.write(`segmentloom ${command}: ${err.message}\n`);
  return err.exitCode;
}
