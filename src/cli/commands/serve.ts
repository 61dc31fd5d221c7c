import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { openApiText } from '../../api/openapi.js';
import { loadServeConfig } from '../../api/serve-config.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { createLogger, isLogLevel, LOG_LEVELS } from '../../core/logger.js';
import { DB_HELP, DB_OPTIONS, keysFromEnv, openCliDb } from '../db-options.js';
import { serveStoreFromConfig } from '../serve-store.js';
import { openStorage } from '../../storage/storage.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand } from '../registry.js';
import { listenForStop } from '../stop-signal.js';

const HELP = `Usage: segmentloom serve --config FILE [--port N] [--host ADDR] [--tls-cert FILE --tls-key FILE]
       segmentloom serve --print-openapi [--output FILE]

Serves the control-plane HTTP API: inventory review, classifiers and policies (written to the
directory and file the engines of --config watch, so they apply without a restart), deletion and
suppression requests, alert tests, API keys and the audit log. See docs/api.md.

Create the first key with \`segmentloom keys create --role owner --name admin\`.

Options:
  --config FILE          the engine config (classifiers, policyFile and alerts are read)
  --port N               port (default 8080; 0 picks a free one)
  --host ADDR            address to listen on (default 127.0.0.1)
  --tls-cert FILE        PEM certificate: serve HTTPS, TLS 1.2 or newer only
  --tls-key FILE         PEM private key for --tls-cert
  --classifier-dir DIR   where PUT /classifiers writes (default: the config's last non-builtin directory)
  --print-openapi        print the OpenAPI document and exit (with --output FILE: write it there)
  --log-level LEVEL      fatal, error, warn, info (default), debug, trace, silent
  -h, --help             this help

Store and keys: from the config's storage section exactly as the engine reads them (location,
schema, masterKeys and lookupKey, each falling back to SEGMENTLOOM_MASTER_KEYS and
SEGMENTLOOM_LOOKUP_KEY); without a storage section, the flags below and those variables.
${DB_HELP}`;

export interface ServeOptions {
  /** Stops the server like SIGTERM does (in-process use and tests). */
  signal?: AbortSignal;
  /** Called once listening (tests read the port from it). */
  onListening?: (api: RunningApi) => void;
}

const OPTIONS = {
  ...DB_OPTIONS,
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'classifier-dir': { type: 'string' },
  'print-openapi': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'log-level': { type: 'string' },
} as const;

export const run = defineCommand<typeof OPTIONS, ServeOptions>({
  name: 'serve',
  help: HELP,
  positionals: false,
  options: OPTIONS,
  handler: async ({ values, io, extra: options }) => {
    if (values['print-openapi']) {
      if (values.output) await writeFile(values.output, openApiText());
      else io.stdout.write(openApiText());
      return EXIT.ok;
    }
    if (values.config === undefined) throw new UsageError('--config FILE is required');
    const port = values.port === undefined ? 8080 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
    const tls =
      values['tls-cert'] === undefined
        ? undefined
        : { cert: await readPem(values['tls-cert'], '--tls-cert'), key: await readPem(values['tls-key']!, '--tls-key') };

    const level = values['log-level'] ?? 'info';
    if (!isLogLevel(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const config = await loadServeConfig(values.config, io.env);
    const logger = createLogger({ level, destination: io.stderr, name: 'segmentloom-api' });
    // Keys first: a misconfigured process fails before it opens (or creates) a database.
    const fromConfig = serveStoreFromConfig(values, config, io);
    const keys = fromConfig?.keys ?? keysFromEnv(io.env, io.stderr, 'serve', { keyring: true });
    if (keys === null) return EXIT.config;
    // Listening for a stop from here on: a signal during the start or right after the ready line
    // stops the server cleanly instead of killing it with the signal's default action.
    const stop = listenForStop(options.signal);
    try {
      // The API server runs the store like an engine does: it creates and migrates it when missing.
      const db = await openCliDb(fromConfig?.target ?? values, fromConfig?.env ?? io.env, { create: true });
      const storage = await openStorage({ db, keyring: keys.keyring!, hasher: keys.hasher, receiptSigner: keys.receiptSigner, logger });
      const registry = new Registry();
      collectDefaultMetrics({ register: registry, prefix: 'segmentloom_api_' });
      const host = values.host ?? '127.0.0.1';
      const customDir = values['classifier-dir'] === undefined ? undefined : resolve(values['classifier-dir']);
      // A directory the engines do not load would take writes that never apply.
      if (customDir !== undefined && !config.classifierDirs.includes(customDir)) {
        logger.warn(
          { classifierDir: customDir },
          '--classifier-dir is not among the classifiers directories of the config: engines will not load what is written there',
        );
      }
      let api: RunningApi;
      try {
        api = await startApi({
          storage,
          classifierDirs: config.classifierDirs,
          customClassifierDir: customDir,
          policyFile: config.policyFile,
          configFile: config.file,
          alertsConfig: config.alerts,
          registry,
          logger,
          tls,
          env: io.env,
          port,
          host,
        });
      } catch (err) {
        await storage.close();
        throw err;
      }
      if (!tls && !/^(127\.|::1$|localhost$)/.test(host))
        logger.warn({ host }, 'serving plain HTTP on a non-loopback address: API keys cross the network in clear; use --tls-cert/--tls-key');
      logger.info({ url: api.url, customClassifierDir: api.ctx.customClassifierDir, policyFile: config.policyFile }, 'control-plane API listening');
      options.onListening?.(api);
      // Requests a killed process left RUNNING (its erasure half-done) are run again now; awaited on close.
      const resumed: Promise<unknown> = storage.requests
        .resumeAbandoned()
        .then((done) => {
          if (done.length > 0)
            logger.warn(
              { requests: done.length, failed: done.filter((r) => r.status === 'FAILED').length },
              'data-subject requests left running by a stopped process were run again',
            );
        })
        .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.name : 'error' }, 'resuming data-subject requests failed'))
        .finally(() => api.ctx.background.delete(resumed));
      api.ctx.background.add(resumed);
      const reason = await stop.requested;
      logger.info({ signal: reason }, 'stopping: finishing requests in flight');
      await api.close();
      await storage.close();
      return EXIT.ok;
    } finally {
      stop.dispose();
    }
  },
});

async function readPem(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    throw new UsageError(`${flag}: cannot read ${file}`);
  }
}
