import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/db.js';
import { safeErrorLabel } from '../storage/sql.js';
import { writeAudit } from './audit.js';
import { ApiError } from './errors.js';
import { parseToken } from './api-keys.js';

/**
 * Failed authentication is throttled per client address and per key id (the counting is
 * @fastify/rate-limit's store): after `maxFailures` failures within `windowMs`, that address, or
 * every request naming that key id, is answered 429 with Retry-After until the window ends —
 * before the key is looked up, so guessing costs the database nothing. Successful requests are not
 * counted. Throttling a key id also holds back its owner's real requests for the window: that is
 * the price of stopping a guesser who rotates addresses, and the audit entry says it happened.
 */
export interface AuthThrottleOptions {
  /** Failures allowed per window before 429 (default 20 per address, 50 per key id). */
  maxFailuresPerAddress?: number;
  maxFailuresPerKey?: number;
  /** Window in milliseconds (default 60 000). */
  windowMs?: number;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Scope = 'address' | 'key';

export interface AuthThrottle {
  /** Throws 429 when the request's address or key id is throttled; otherwise does nothing. */
  check(req: FastifyRequest): Promise<void>;
  /** Counts a failed authentication; records a trip when a limit is reached. */
  failed(req: FastifyRequest): Promise<void>;
}

export async function registerAuthThrottle(
  app: FastifyInstance,
  deps: { db: Db; registry: Registry; logger: Logger },
  options: AuthThrottleOptions = {},
): Promise<AuthThrottle> {
  // global: false — no route is limited as a whole; only the limiters made below count.
  await app.register(rateLimit, { global: false });
  const windowMs = options.windowMs ?? 60_000;
  const limits: Record<Scope, number> = { address: options.maxFailuresPerAddress ?? 20, key: options.maxFailuresPerKey ?? 50 };
  const limiters: Record<Scope, Limiter> = {
    address: app.createRateLimit({ max: limits.address, timeWindow: windowMs, keyGenerator: (req) => `auth-fail:ip:${req.ip}` }),
    // Requests without a well-formed token name no key id: only their address counts.
    key: app.createRateLimit({ max: limits.key, timeWindow: windowMs, keyGenerator: (req) => `auth-fail:key:${keyIdOf(req) ?? '-'}` }),
  };
  const tripped = tripCounter(deps.registry);
  const scopes = (req: FastifyRequest): Scope[] => (keyIdOf(req) === null ? ['address'] : ['address', 'key']);

  return {
    async check(req) {
      for (const scope of scopes(req)) {
        const state = await limiters[scope](req, { increment: false });
        if (state.isAllowed || (state.remaining ?? 1) > 0) continue;
        throw throttled(scope, state.ttlInSeconds ?? Math.ceil(windowMs / 1000));
      }
    },
    async failed(req) {
      for (const scope of scopes(req)) {
        const state = await limiters[scope](req);
        if (state.isAllowed || state.remaining !== 0 || state.isExceeded) continue;
        // This failure used the last one allowed: the limit trips now (once per window).
        tripped.inc({ scope });
        const keyId = keyIdOf(req);
        deps.logger.warn({ reqId: req.id, scope, keyId: scope === 'key' ? keyId : undefined, windowMs }, 'api authentication throttled');
        try {
          // The address is the caller's, not a data subject's: the audit log says which one guessed.
          await writeAudit(deps.db, {
            actor: { keyId: null, role: 'anonymous' },
            action: 'auth.throttled',
            targetType: scope === 'key' ? 'api_key' : 'client_address',
            targetId: scope === 'key' ? keyId : req.ip,
            before: null,
            after: { scope, failures: limits[scope], windowSeconds: Math.ceil(windowMs / 1000), address: req.ip },
            requestId: req.id,
          });
        } catch (err) {
          deps.logger.error({ reqId: req.id, err: safeErrorLabel(err) }, 'could not audit an authentication throttle');
        }
      }
    },
  };
}

function keyIdOf(req: FastifyRequest): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  return match ? (parseToken(match[1]!)?.keyId ?? null) : null;
}

function throttled(scope: Scope, retryAfter: number): ApiError {
  const who = scope === 'key' ? 'this key id' : 'this client address';
  return new ApiError(429, 'too_many_requests', `too many failed authentications from ${who}; retry after ${retryAfter} s`, undefined, {
    'retry-after': String(retryAfter),
  });
}

function tripCounter(registry: Registry): Counter<'scope'> {
  const name = 'segmentloom_api_auth_throttled_total';
  const existing = registry.getSingleMetric(name) as Counter<'scope'> | undefined;
  return (
    existing ??
    new Counter({ name, help: 'Times failed API authentication tripped a throttle, by scope (address or key)', labelNames: ['scope'], registers: [registry] })
  );
}
