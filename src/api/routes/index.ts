import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { RouteSpec } from '../route.js';
import { alertRoutes, registerAlertRoutes } from './alerts.js';
import { auditRoutes, registerAuditRoutes } from './audit.js';
import { classifierRoutes, registerClassifierRoutes } from './classifiers.js';
import { classifierTryRoutes, registerClassifierTryRoutes } from './classifier-try.js';
import { inventoryRoutes, registerInventoryRoutes } from './inventory.js';
import { keyRoutes, registerKeyRoutes } from './api-keys.js';
import { masterKeyRoutes, registerMasterKeyRoutes } from './master-keys.js';
import { policyRoutes, registerPolicyRoutes } from './policies.js';
import { registerRequestRoutes, requestRoutes } from './requests.js';
import { registerReviewRoutes, reviewRoutes } from './review.js';
import { registerSystemRoutes, systemRoutes } from './system.js';
import { registerWriteKeyRoutes, writeKeyRoutes } from './write-keys.js';

/** Every route of the API, in document order (the OpenAPI document and the authz test read this). */
export const ROUTE_SPECS: readonly RouteSpec[] = [
  ...Object.values(systemRoutes),
  ...Object.values(inventoryRoutes),
  ...Object.values(reviewRoutes),
  ...Object.values(classifierRoutes),
  ...Object.values(classifierTryRoutes),
  ...Object.values(policyRoutes),
  ...Object.values(requestRoutes),
  ...Object.values(alertRoutes),
  ...Object.values(keyRoutes),
  ...Object.values(writeKeyRoutes),
  ...Object.values(masterKeyRoutes),
  ...Object.values(auditRoutes),
];

/** One encapsulated plugin per route group: content-type parsers set by a group stay in it. */
export async function registerRoutes(app: FastifyInstance, ctx: ApiContext, openapi: () => object): Promise<void> {
  await app.register(async (scope) => registerSystemRoutes(scope, ctx, openapi));
  await app.register(async (scope) => registerInventoryRoutes(scope, ctx));
  await app.register(async (scope) => registerReviewRoutes(scope, ctx));
  await app.register(async (scope) => registerClassifierRoutes(scope, ctx));
  await app.register(async (scope) => registerClassifierTryRoutes(scope, ctx));
  await app.register(async (scope) => registerPolicyRoutes(scope, ctx));
  await app.register(async (scope) => registerRequestRoutes(scope, ctx));
  await app.register(async (scope) => registerAlertRoutes(scope, ctx));
  await app.register(async (scope) => registerKeyRoutes(scope, ctx));
  await app.register(async (scope) => registerWriteKeyRoutes(scope, ctx));
  await app.register(async (scope) => registerMasterKeyRoutes(scope, ctx));
  await app.register(async (scope) => registerAuditRoutes(scope, ctx));
}
