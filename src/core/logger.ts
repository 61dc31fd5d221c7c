import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The part of a logger the lower layers (storage, stores) write to; a pino Logger is one.
 * Never given personal data.
 */
export interface LogSink {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The log levels config and command lines accept. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

/**
 * The rule every log line follows: event values are never logged. Log paths, counts, offsets and
 * reason codes. These redaction paths are the safety net for mistakes (a record, key or header
 * object passed to the logger by accident), not the mechanism.
 */
export const REDACT_PATHS: readonly string[] = [
  'value',
  '*.value',
  'values',
  '*.values',
  'key',
  '*.key',
  'headers',
  '*.headers',
  'payload',
  '*.payload',
  'event.properties',
  'event.traits',
  'event.context',
  'properties',
  'traits',
  'context',
  'userId',
  '*.userId',
  'anonymousId',
  '*.anonymousId',
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'hashing',
  '*.hashing',
  'email',
  '*.email',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  // Nested only: the servers log their own listening url at the top level.
  'routingKey',
  '*.routingKey',
  '*.url',
];

export interface LoggerSettings {
  level?: string;
  /** Where lines go; stderr by default so stdout stays free for command output. */
  destination?: DestinationStream | NodeJS.WritableStream;
  name?: string;
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'segmentloom',
    level: settings.level ?? 'info',
    base: { pid: process.pid, ...settings.base },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options, (settings.destination ?? process.stderr) as DestinationStream);
}

/** The one logger that drops everything (tests, library use without logging, the stores' default). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
