import type { z } from 'zod';

/**
 * A configuration problem a person must fix: names the file, the field and what is wrong.
 * Never carries config secrets or event values.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** Builds an error from zod issues: one line per issue, `file: field: problem`. */
  static fromZod(file: string, error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigError {
    const lines = error.issues.slice(0, 10).map((issue) => {
      const field = formatField([...prefix, ...issue.path]);
      return `${file}: ${field}: ${safeIssueMessage(issue)}`;
    });
    const first = error.issues[0];
    return new ConfigError(lines.join('\n'), file, first ? formatField([...prefix, ...first.path]) : undefined);
  }
}

export function formatField(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

/**
 * A zod issue as text that never quotes the received value (config secrets, event values): only
 * what was expected.
 */
export function safeIssueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string' ? 'must not be empty' : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_format':
    case 'custom':
      // Our own messages (regex explanations, refinements): written never to include the value.
      return issue.message;
    default:
      return issue.code.replace(/_/g, ' ');
  }
}
