/**
 * The one registry of Segmentloom's errors. Every error the engine, the CLI or an HTTP API raises
 * has a stable code (`SLOOM_ERR_…`, like fastify's `FST_ERR_…`), the exit status the CLI ends with
 * when it stops there, and — where it reaches an HTTP API — the status and the `error.code` the
 * response body carries. docs/errors.md holds the same table; test/core/errors.test.ts checks
 * that the two agree.
 *
 * Messages never repeat a submitted value (an event value, a config secret, a request body): they
 * name the field and what was expected.
 */

/** Exit statuses (sysexits where one fits): 0 success, 1 the operation ran and failed, 2 unusable arguments, 78 invalid configuration. */
export const EXIT = { ok: 0, failure: 1, usage: 2, config: 78 } as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorSpec {
  /** The CLI's exit status when this error ends a command. */
  readonly exit: ExitStatus;
  /** Where the error reaches an HTTP API on its own: the status and the body's `error.code`. */
  readonly http?: { readonly status: number; readonly code: string };
  /** What it means, for docs/errors.md. */
  readonly summary: string;
}

/** Errors raised by the engine, the CLI and the stores (the classes in this file and their subclasses). */
export const ERRORS = {
  SLOOM_ERR_USAGE: { exit: EXIT.usage, summary: 'unusable command-line arguments: unknown command or flag, missing or malformed value' },
  SLOOM_ERR_NOT_FOUND: {
    exit: EXIT.usage,
    http: { status: 404, code: 'not_found' },
    summary: 'an id or name (data point, request, key, channel) that names nothing',
  },
  SLOOM_ERR_CONFIG: { exit: EXIT.config, summary: 'invalid configuration: the file, the field and what is wrong' },
  SLOOM_ERR_CONFIG_ENV: { exit: EXIT.config, summary: 'an `${ENV}` reference that cannot be resolved, or a reserved key (`__proto__`)' },
  SLOOM_ERR_POLICY_CONFIG: {
    exit: EXIT.config,
    http: { status: 400, code: 'invalid_policy' },
    summary: 'an invalid policy section (hashing, policies, destinations, consentDefault)',
  },
  SLOOM_ERR_ALERTS_CONFIG: { exit: EXIT.config, summary: 'an invalid `alerts:` section' },
  SLOOM_ERR_INGEST_CONFIG: { exit: EXIT.config, summary: 'an invalid `ingest:` section' },
  SLOOM_ERR_KEY_CONFIG: {
    exit: EXIT.config,
    summary: 'a missing or unusable key (master keys, lookup key, receipt signing key): names the variable, never key material',
  },
  SLOOM_ERR_STORE_NOT_FOUND: {
    exit: EXIT.config,
    summary: 'the store (data directory, or PostgreSQL schema) does not exist or was never initialised; nothing was created',
  },
  SLOOM_ERR_STORE_BUSY: {
    exit: EXIT.failure,
    summary: 'the embedded store (PGlite data directory) is open in another live process: stop it, or go through its API',
  },
  SLOOM_ERR_POLICY_HASH: { exit: EXIT.failure, summary: 'hashing misused: an unknown key version, or no key' },
  SLOOM_ERR_DECRYPT: { exit: EXIT.failure, summary: 'decryption failed: wrong key, wrong row or tampered data' },
  SLOOM_ERR_TLS_HANDSHAKE: { exit: EXIT.failure, summary: 'a TLS handshake failed on the certificate or the protocol (not an endpoint that is down)' },
  SLOOM_ERR_EVENT_SHAPE: { exit: EXIT.failure, summary: 'an event deeper or larger than the limits allow (the event goes to dead-letter)' },
  SLOOM_ERR_INGEST_PAYLOAD: { exit: EXIT.failure, http: { status: 400, code: 'invalid_payload' }, summary: 'an ingest payload that is not a Segment message' },
  SLOOM_ERR_BROKER_UNAVAILABLE: {
    exit: EXIT.failure,
    http: { status: 503, code: 'broker_unavailable' },
    summary: 'the broker did not acknowledge in time, or refused',
  },
  SLOOM_ERR_BACKPRESSURE: { exit: EXIT.failure, http: { status: 429, code: 'backpressure' }, summary: 'more is waiting for the broker than the ingest holds' },
  SLOOM_ERR_DELIVERY: { exit: EXIT.failure, http: { status: 502, code: 'delivery_failed' }, summary: 'an alert receiver refused or could not be reached' },
  SLOOM_ERR_SIGN_IN: {
    exit: EXIT.failure,
    http: { status: 401, code: 'unauthorized' },
    summary: 'portal: a sign-in the OpenID Provider or role mapping refused',
  },
  SLOOM_ERR_API: { exit: EXIT.failure, summary: 'an HTTP API answer (control plane or ingest): its `error.code` is one of the API codes below' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * The `error.code` values of HTTP answers (control-plane API and ingest) and their status. Codes
 * are snake_case and part of the API contract: they never change meaning.
 */
export const API_CODES = {
  bad_request: { status: 400, summary: 'a request fastify refused for another reason' },
  invalid_input: { status: 400, summary: 'a field of the path, query or body is invalid or unknown (`field` names it)' },
  invalid_text: { status: 400, summary: 'a text field holds a NUL character' },
  invalid_json: { status: 400, summary: 'the body is not valid JSON' },
  invalid_body: { status: 400, summary: 'the body is empty, cut short, or cannot be read' },
  invalid_policy: { status: 400, summary: 'an invalid policy document' },
  invalid_classifier: { status: 400, summary: 'an invalid classifier document' },
  invalid_payload: { status: 400, summary: 'ingest: a payload that is not a Segment message' },
  forbidden_key: { status: 400, summary: 'a `__proto__` key (or `constructor.prototype`) in a body' },
  document_too_deep: { status: 400, summary: 'a document nested deeper than allowed' },
  too_many_aliases: { status: 400, summary: 'a YAML document expanding too many aliases' },
  too_large: { status: 400, summary: 'ingest: a body larger than the endpoint accepts' },
  unsupported_encoding: { status: 400, summary: 'ingest: a content-encoding other than gzip or deflate' },
  selection_too_large: { status: 400, summary: 'a bulk review whose filters select more points than one request may change' },
  unauthorized: { status: 401, summary: 'no credentials, or credentials that are not valid' },
  forbidden: { status: 403, summary: 'the key lacks the scope or role this needs' },
  verification_required: { status: 403, summary: 'a subject export by email needs a verification' },
  verification_failed: { status: 403, summary: 'the verification of a subject export did not pass' },
  csrf: { status: 403, summary: "portal: a mutating request without the session's CSRF token" },
  origin_not_allowed: { status: 403, summary: 'ingest: the origin is not allowed (ingest.cors.origins)' },
  source_not_configured: { status: 403, summary: "ingest: the write key's source is not configured" },
  not_found: { status: 404, summary: 'no such route, or an id that names nothing' },
  config_invalid: { status: 409, summary: 'a file on disk the request needs is invalid' },
  not_finished: { status: 409, summary: 'a receipt asked for before the request is FINISHED' },
  delivery_in_progress: { status: 409, summary: 'an outbox retry of a delivery an engine is sending right now' },
  no_policy_file: { status: 409, summary: 'policies are inline in the engine config: there is no policy file to manage' },
  no_custom_classifier_dir: { status: 409, summary: 'no custom classifier directory to write to' },
  duplicate_classifier: { status: 409, summary: 'a classifier id already defined in another file of the directory' },
  body_too_large: { status: 413, summary: 'the body is larger than the API accepts' },
  unsupported_media_type: { status: 415, summary: 'a content type the endpoint does not take' },
  too_many_requests: { status: 429, summary: 'too many failed authentications from this address; see Retry-After' },
  rate_limited: { status: 429, summary: 'ingest: the source is over its rate limit; see Retry-After' },
  backpressure: { status: 429, summary: 'ingest: too much is waiting for the broker; see Retry-After' },
  in_flight: { status: 429, summary: 'ingest: another ingest process is accepting a messageId of the request; see Retry-After' },
  internal: { status: 500, summary: 'an unexpected failure; the server log has the request id' },
  delivery_failed: { status: 502, summary: 'an alert receiver refused or could not be reached' },
  sso_unavailable: { status: 502, summary: 'portal: the OpenID Provider could not be reached' },
  broker_unavailable: { status: 503, summary: 'ingest: the broker is unavailable; see Retry-After' },
  unavailable: { status: 503, summary: 'a dependency of this route is unavailable' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ApiCode = keyof typeof API_CODES;

/** The base of every error with a code. `code`, `exitCode` and `statusCode` come from the registry. */
export class SegmentloomError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitStatus;
  /** HTTP status where this error reaches an API on its own; undefined elsewhere. */
  readonly statusCode: number | undefined;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    const spec: ErrorSpec = ERRORS[code];
    this.code = code;
    this.exitCode = spec.exit;
    this.statusCode = spec.http?.status;
    this.name = 'SegmentloomError';
  }
}

/** Unusable command-line arguments (exit 2). */
export class UsageError extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_USAGE', message);
    this.name = 'UsageError';
  }
}

/** An id or name that names nothing: exit 2 in the CLI, 404 in the API. `what` names the kind, never the id. */
export class NotFoundError extends SegmentloomError {
  constructor(what: string) {
    super('SLOOM_ERR_NOT_FOUND', `no such ${what}`);
    this.name = 'NotFoundError';
  }
}

export function isSegmentloomError(err: unknown): err is SegmentloomError {
  return err instanceof SegmentloomError;
}

/** The CLI's exit status for an error: from its code; undefined for an error without one (a bug: rethrown). */
export function exitStatusOf(err: unknown): ExitStatus | undefined {
  return err instanceof SegmentloomError ? err.exitCode : undefined;
}
