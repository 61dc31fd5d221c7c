import type { z } from 'zod';
import { SegmentloomError, type ErrorCode } from './errors.js';
import { formatField, safeIssueMessage, zodIssues, type FormatOptions, type Issue } from './zod-issues.js';

export { formatField, safeIssueMessage };

/** One problem of a configuration: the field (`privacy.hashing.keys[0].secret`) and what is wrong. */
export type ConfigIssue = Issue;

/** Lines shown of a configuration error; the rest are counted, not hidden. */
const MAX_LINES = 10;

/**
 * A configuration problem a person must fix: names the file, the field and what is wrong. Never
 * carries config secrets or event values. The policy, alerts and ingest sections raise subclasses
 * (their own codes); `inFile` places any of them in the file they were read from, in the one
 * wording every configuration error has: `file: field: problem`, one line per problem.
 */
export class ConfigError extends SegmentloomError {
  readonly issues: readonly ConfigIssue[];

  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
    options: { code?: ErrorCode; issues?: readonly ConfigIssue[] } = {},
  ) {
    super(options.code ?? 'SLOOM_ERR_CONFIG', message);
    this.name = 'ConfigError';
    this.issues = options.issues ?? (field === undefined ? [] : [{ field, message }]);
  }

  /** Builds an error from zod issues: one line per issue, `file: field: problem`. */
  static fromZod(file: string, error: z.ZodError, prefix: readonly PropertyKey[] = [], options: Omit<FormatOptions, 'prefix'> = {}): ConfigError {
    return ConfigError.fromIssues(file, zodIssues(error, { ...options, prefix }));
  }

  /** An error listing `issues` of `file` (undefined: a section not read from a file yet). */
  static fromIssues(file: string | undefined, issues: readonly ConfigIssue[], code: ErrorCode = 'SLOOM_ERR_CONFIG'): ConfigError {
    return new ConfigError(issueLines(file, issues), file, issues[0]?.field, { code, issues });
  }

  /** The same problems (and code), placed in `file`. */
  inFile(file: string): ConfigError {
    if (this.issues.length === 0) return new ConfigError(`${file}: ${this.message}`, file, this.field, { code: this.code });
    return ConfigError.fromIssues(file, this.issues, this.code);
  }
}

/** `file: field: problem` lines (`field: problem` without a file), at most ten, then how many more. */
export function issueLines(file: string | undefined, issues: readonly ConfigIssue[]): string {
  const lines = issues.slice(0, MAX_LINES).map((issue) => `${file === undefined ? '' : `${file}: `}${issue.field}: ${issue.message}`);
  if (issues.length > MAX_LINES) lines.push(`${file === undefined ? '' : `${file}: `}${issues.length - MAX_LINES} more problem(s) not shown; fix these first`);
  return lines.join('\n');
}
