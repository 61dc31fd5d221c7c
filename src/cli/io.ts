import { UsageError } from '../core/errors.js';
/** What a command may touch: streams and environment, injected so commands are testable in-process. */
export interface CliIo {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Exit statuses and the usage and not-found errors: one registry of codes, src/core/errors.ts. */
export { EXIT, NotFoundError, UsageError } from '../core/errors.js';

/** The `--batch-size N` flag of the store commands: an integer from 1 to 100,000, else `fallback`. */
export function batchSizeFlag(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) throw new UsageError('--batch-size must be an integer from 1 to 100000');
  return size;
}
