import type { z } from 'zod';
import { SegmentloomError, type ApiCode } from '../core/errors.js';
import { zodIssues } from '../core/zod-issues.js';

/**
 * Every error the API answers with: `{ error: { code, message, field? } }`. Messages name fields
 * and expectations, never the submitted values (a value may be an email or a secret).
 */
export class ApiError extends SegmentloomError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** The body's `error.code`: one of API_CODES (src/core/errors.ts, docs/errors.md). */
    readonly apiCode: ApiCode,
    message: string,
    readonly field?: string,
    /** Response headers that go with this error (Retry-After on a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super('SLOOM_ERR_API', message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.apiCode, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) } };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export const badRequest = (field: string, message: string, code: ApiCode = 'invalid_input') => new ApiError(400, code, `${field}: ${message}`, field);
export const notFound = (what: string) => new ApiError(404, 'not_found', `no such ${what}`);
export const conflict = (code: ApiCode, message: string, field?: string) => new ApiError(409, code, message, field);

export type InputPart = 'params' | 'query' | 'body';

/**
 * Zod issues as a 400: the field is the first issue's path (`scopes[1]`, `userId`), unknown fields
 * first, so a misspelt `clasification` is reported as unknown (with a "did you mean") rather than
 * as a missing `classification`; a problem with the whole input names the part (`body`, `query`).
 * The message lists every issue, `field: problem; …`, from the one safe formatter
 * (src/core/zod-issues.ts), which never quotes the received value.
 */
export function fromZod(error: z.ZodError, part: InputPart, options: { schema?: z.ZodType; input?: unknown } = {}): ApiError {
  const issues = zodIssues(error, options).map((issue) => (issue.field === '(root)' ? { ...issue, field: part } : issue));
  const first = issues[0];
  if (first === undefined) return badRequest(part, 'invalid');
  return new ApiError(400, 'invalid_input', issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), first.field);
}
