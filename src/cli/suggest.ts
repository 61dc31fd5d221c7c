import { didYouMean } from '../core/suggest.js';
import { UsageError } from '../core/errors.js';

/** A word a person typed as a command or flag name, fit to repeat: short, no spaces, no values. */
export function printable(word: string): string | undefined {
  return /^-{0,2}[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(word) ? word : undefined;
}

/** `unknown command "scna" (did you mean "scan"?)`: the message for a command name nothing knows. */
export function unknownCommandMessage(kind: string, word: string, known: readonly string[]): string {
  const shown = printable(word);
  if (shown === undefined) return `unknown ${kind} (known: ${known.join(', ')})`;
  const hint = didYouMean(word, known);
  return `unknown ${kind} "${shown}"${hint === '' ? ` (known: ${known.join(', ')})` : hint}`;
}

/** A UsageError for a subcommand (`inventory lst`) outside `known`, with a "did you mean". */
export function unknownSubcommand(command: string, word: string, known: readonly string[]): UsageError {
  return new UsageError(unknownCommandMessage(`${command} command`, word, known));
}
