import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { defineRoute, handle } from '../route.js';

export const systemRoutes = {
  health: defineRoute({
    operationId: 'getHealth',
    method: 'GET',
    url: '/healthz',
    tag: 'system',
    summary: 'Liveness and database reachability',
    action: 'public',
    response: { status: 200, description: 'The API answers and its database does', schema: z.object({ status: z.literal('ok') }) },
    errors: [503],
  }),
  metrics: defineRoute({
    operationId: 'getMetrics',
    method: 'GET',
    url: '/metrics',
    tag: 'system',
    summary: 'Prometheus metrics',
    action: 'metrics.read',
    response: { status: 200, description: 'Prometheus text exposition', contentType: 'text/plain; version=0.0.4', schema: z.string() },
  }),
  openapi: defineRoute({
    operationId: 'getOpenApi',
    method: 'GET',
    url: '/openapi.json',
    tag: 'system',
    summary: 'This document',
    action: 'public',
    response: { status: 200, description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
  }),
};

export function registerSystemRoutes(app: FastifyInstance, ctx: ApiContext, openapi: () => object): void {
  handle(app, ctx, systemRoutes.health, async () => {
    try {
      await ctx.db.query('SELECT 1');
    } catch {
      throw new ApiError(503, 'unavailable', 'the database does not answer');
    }
    return { status: 'ok' };
  });
  handle(app, ctx, systemRoutes.metrics, async ({ reply }) => {
    const text = await ctx.registry.metrics();
    return reply.type(ctx.registry.contentType).send(text);
  });
  handle(app, ctx, systemRoutes.openapi, async () => openapi());
}
