import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { authorize, type Action, type Principal } from './authz.js';
import type { ApiContext } from './context.js';
import { ApiError, badRequest, fromZod, type InputPart } from './errors.js';
import { rejectNul } from './text-guard.js';

/**
 * A route is declared once, as data: method, path, the authz action, zod schemas of its inputs and
 * output. The same declaration registers the fastify route (authenticate → authorize → validate →
 * handle) and generates its OpenAPI operation, so the document cannot drift from the code.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec {
  operationId: string;
  method: Method;
  /** fastify syntax: `/classifiers/:id`. */
  url: string;
  tag: string;
  summary: string;
  description?: string;
  /** `public`: no key needed (health, the OpenAPI document). */
  action: Action | 'public';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** A YAML-or-JSON document taken as text and validated by the real loader; `schema` documents its JSON form. */
  textBody?: { schema: z.ZodType; description: string };
  response: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Error statuses this route can answer with besides 401/403 (documented). */
  errors?: readonly number[];
  /** The audit action a successful call records. */
  audit?: string;
}

type Out<S, K extends string> = S extends { [P in K]: infer T extends z.ZodType } ? z.output<T> : undefined;

export interface HandlerInput<S extends RouteSpec> {
  params: Out<S, 'params'>;
  query: Out<S, 'query'>;
  body: S extends { textBody: object } ? string : Out<S, 'body'>;
  principal: S extends { action: 'public' } ? null : Principal;
  req: FastifyRequest;
  reply: FastifyReply;
}

export function defineRoute<const S extends RouteSpec>(spec: S): S {
  return spec;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** A signed-in portal session's principal (src/portal/session.ts; CSRF already checked), or null. */
    sessionPrincipal: Principal | null;
  }
}

/** Registers a declared route; the handler returns the JSON body, or `reply` after sending itself. */
export function handle<S extends RouteSpec>(app: FastifyInstance, ctx: ApiContext, spec: S, handler: (input: HandlerInput<S>) => Promise<unknown>): void {
  app.route({
    method: spec.method,
    url: spec.url,
    // onRequest runs before the body is read: an unauthenticated caller gets 401, not a parse error.
    onRequest: spec.action === 'public' ? [] : [async (req) => void (req.principal = await authenticate(ctx, req, spec.action as Action))],
    handler: async (req, reply) => {
      const input = {
        params: spec.params ? parse(spec.params, req.params ?? {}, 'params') : undefined,
        query: spec.query ? parse(spec.query, req.query ?? {}, 'query') : undefined,
        body: spec.textBody ? textBody(req.body) : spec.body ? parse(spec.body, req.body ?? {}, 'body') : undefined,
        principal: req.principal,
        req,
        reply,
      } as HandlerInput<S>;
      const result = await handler(input);
      if (result === reply) return reply;
      reply.code(spec.response.status);
      return result;
    },
  });
}

function parse(schema: z.ZodType, value: unknown, part: InputPart): unknown {
  rejectNul(value, part);
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, part, { schema, input: value });
  return result.data;
}

function textBody(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') throw badRequest('body', 'expected a YAML or JSON document');
  rejectNul(body, 'body');
  return body;
}

async function authenticate(ctx: ApiContext, req: FastifyRequest, action: Action): Promise<Principal> {
  const header = req.headers.authorization;
  if (header === undefined && req.sessionPrincipal) return authorized(req.sessionPrincipal, action);
  if (header === undefined) throw new ApiError(401, 'unauthorized', 'missing Authorization: Bearer <API key>');
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new ApiError(401, 'unauthorized', 'expected Authorization: Bearer <API key>');
  // A throttled address or key id is refused before its key is looked up (see throttle.ts).
  await ctx.throttle?.check(req);
  const principal = await ctx.keys.verify(match[1]!);
  if (!principal) {
    await ctx.throttle?.failed(req);
    throw new ApiError(401, 'unauthorized', 'invalid, expired or revoked API key');
  }
  return authorized(principal, action);
}

/** One decision for keys and portal sessions alike (authz.ts). */
function authorized(principal: Principal, action: Action): Principal {
  const decision = authorize(principal, action);
  if (!decision.allowed) throw new ApiError(403, 'forbidden', decision.reason);
  return principal;
}
