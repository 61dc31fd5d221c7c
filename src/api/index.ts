/** The control-plane HTTP API: scoped keys, roles, audit log, TLS. */
export { buildApi, createApi, type Api } from './app.js';
export { startApi, type RunningApi } from './server.js';
export type { ApiOptions, ApiContext, TlsOptions } from './context.js';
export { ACTIONS, ROLES, SCOPES, ROLE_SCOPES, DEFAULT_SCOPES, authorize, mayGrant, type Action, type Role, type Scope, type Principal } from './authz.js';
export { ApiKeyStore, hashSecret, parseToken, TOKEN_PREFIX, type ApiKey, type IssuedKey } from './api-keys.js';
export { writeAudit, listAudit, iterateAudit, CLI_ACTOR, type AuditEntry, type AuditRecord, type Actor } from './audit.js';
export { buildOpenApi, openApiText } from './openapi.js';
export { ROUTE_SPECS } from './routes/index.js';
export { loadServeConfig, type ServeConfig } from './serve-config.js';
