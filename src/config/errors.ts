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
      return `${file}: ${field}: ${issue.message}`;
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
