import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from './arg-errors.js';
import { unknownSubcommand } from './suggest.js';
import { EXIT, UsageError, type CliIo, type Command } from './io.js';

/**
 * The skeleton every subcommand shares, written once: parse the flags of its schema (strict, so an
 * unknown flag is a usage error), print its help on `--help` (exit 0) or when a required
 * subcommand is missing (exit 2), reject an unknown subcommand, then hand the parsed flags to
 * the handler. The registry in main.ts imports a command's module only when it runs, so
 * `segmentloom --help` and `scan` never load SQL, Kafka or HTTP modules.
 */

type Options = NonNullable<ParseArgsConfig['options']>;

type FlagValue<T> = T extends { type: 'boolean'; multiple: true }
  ? boolean[]
  : T extends { type: 'boolean' }
    ? boolean
    : T extends { multiple: true }
      ? string[]
      : string;

/** parseArgs' values for an options schema (a flag with a default is always set). */
export type FlagValues<O extends Options> = { [K in keyof O]?: FlagValue<O[K]> };

export interface CommandContext<O extends Options, X extends object = object> {
  values: FlagValues<O>;
  /** The subcommand (first positional) when the command has subcommands, else undefined. */
  sub: string | undefined;
  /** Positionals after the subcommand (all positionals for a command without subcommands). */
  args: string[];
  io: CliIo;
  /** What an in-process caller passes besides argv and io (a stop signal, a listening hook); empty from the binary. */
  extra: Partial<X>;
}

export interface CommandSpec<O extends Options, X extends object = object> {
  /** As typed after `segmentloom` (used in messages). */
  name: string;
  /** The full `--help` text. */
  help: string;
  /** Flags schema (node:util parseArgs); `--help`/`-h` is added. */
  options: O;
  /** Subcommand names, when the command requires one (`inventory list`, `requests create` …). */
  subcommands?: readonly string[];
  /** false: flags only, a positional is a usage error (default true). */
  positionals?: boolean;
  handler: (context: CommandContext<O, X>) => Promise<number>;
}

/** A defined command: the binary calls it with argv and io; tests may pass `extra` too. */
export type DefinedCommand<X extends object = object> = (argv: string[], io: CliIo, extra?: Partial<X>) => Promise<number>;

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

/** Defines a command from its schema; the result is what a command module exports as `run`. */
export function defineCommand<const O extends Options, X extends object = object>(spec: CommandSpec<O, X>): DefinedCommand<X> & Command {
  return async (argv: string[], io: CliIo, extra: Partial<X> = {}): Promise<number> => {
    const parsed = parseArgs({ args: argv, allowPositionals: spec.positionals ?? true, strict: true, options: { ...spec.options, ...HELP_FLAG } });
    const values = parsed.values as Record<string, unknown>;
    const positionals = parsed.positionals;
    const subcommands = spec.subcommands;
    const [first, ...rest] = positionals;
    if (values.help || (subcommands !== undefined && first === undefined)) {
      io.stdout.write(spec.help);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    if (subcommands !== undefined && !subcommands.includes(first!)) {
      throw unknownSubcommand(spec.name, first!, subcommands);
    }
    return spec.handler({
      values: values as FlagValues<O>,
      sub: subcommands === undefined ? undefined : first,
      args: subcommands === undefined ? positionals : rest,
      io,
      extra,
    });
  };
}

/** Exactly `n` positionals, else a usage error quoting the command's usage line. */
export function exactArgs(args: readonly string[], n: number, usage: string): string[] {
  if (args.length !== n) throw new UsageError(`usage: segmentloom ${usage}`);
  return [...args];
}

/** `text` if it is one of `allowed`, else a usage error listing every allowed value. */
export function oneOf<T extends string>(text: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}`);
  return text as T;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
