import type { z } from 'zod';
import { toConfigIssue } from '../policy/index.js';

/**
 * Every error the API answers with: `{ error: { code, message, field? } }`. Messages name fields
 * and expectations, never the submitted values (a value may be an email or a secret).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Response headers that go with this error (Retry-After on a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export const badRequest = (field: string, message: string, code = 'invalid_input') => new ApiError(400, code, `${field}: ${message}`, field);
export const notFound = (what: string) => new ApiError(404, 'not_found', `no such ${what}`);
export const conflict = (code: string, message: string, field?: string) => new ApiError(409, code, message, field);

export type InputPart = 'params' | 'query' | 'body';

/**
 * The first zod issue as a 400. The field is the issue's path (`scopes[1]`, `userId`); a problem
 * with the whole input names the part (`body`, `query`). Messages come from the policy module's
 * formatter, which never quotes the received value.
 */
export function fromZod(error: z.ZodError, part: InputPart): ApiError {
  const issue = error.issues[0];
  if (issue === undefined) return badRequest(part, 'invalid');
  const { field, message } = toConfigIssue(issue);
  const name = field === '(root)' ? part : field;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return badRequest(name, `${message}${more}`);
}
