export { createLogger, silentLogger, REDACT_PATHS, type Logger, type LoggerSettings } from '../core/logger.js';
export { EngineMetrics } from './metrics.js';
export { startObservabilityServer, type ObservabilityServer, type ReadinessCheck } from './server.js';
