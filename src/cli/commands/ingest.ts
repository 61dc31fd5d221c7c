import { defineCommand } from '../registry.js';
import { CLI_ACTOR } from '../../api/audit.js';
import { MAX_OVERLAP_SECONDS } from '../../api/routes/api-keys.js';
import { loadEngineConfig } from '../../config/load.js';
import { PipelineFeed } from '../../ingest/feed.js';
import { kafkaIngestSink, sharedMessageIds, startIngest } from '../../ingest/server.js';
import type { SharedMessageIds } from '../../ingest/shared-dedup.js';
import { auditedWriteKeys, WriteKeyStore } from '../../api/write-keys.js';
import { Registry } from 'prom-client';
import { createLogger, isLogLevel } from '../../core/logger.js';
import { startObservabilityServer } from '../../observability/server.js';
import { startFeedEngine } from '../../app/start.js';
import { openDb } from '../../storage/open.js';
import { DB_HELP, DB_OPTIONS, formatTable, openCliDb } from '../db-options.js';
import { EXIT, NotFoundError, UsageError, type CliIo } from '../io.js';
import { listenForStop } from '../stop-signal.js';

const HELP = `Usage: segmentloom ingest <command> [options]

Segment's HTTP Tracking API (POST /v1/track, identify, page, screen, group, alias, batch) in front
of the pipeline: analytics.js, analytics-node and the other tracking clients send here unchanged.

Commands:
  serve --config FILE [--port N] [--log-level L]
        serve the ingest of the config's ingest section. With a kafka section, events go to the
        pipeline's input topic (acks=all); without, the embedded pipeline takes them directly and
        writes its NDJSON outputs (files.outDir). Write keys live in the config's storage.
  keys create --source NAME         a write key for a source; printed this once, stored hashed
  keys list [--format table|json]   write keys, their sources and live secrets (never the secrets)
  keys rotate ID [--overlap-seconds N]   new write key; the old one works N more seconds (default 3600)
  keys revoke ID                    revoke at once

keys commands act on the store the options name (audited, actor: cli):
${DB_HELP}`;

const OPTIONS = {
  ...DB_OPTIONS,
  config: { type: 'string' },
  port: { type: 'string' },
  'log-level': { type: 'string' },
  source: { type: 'string' },
  'overlap-seconds': { type: 'string' },
  format: { type: 'string', default: 'table' },
} as const;

export const run = defineCommand<typeof OPTIONS, { signal?: AbortSignal }>({
  name: 'ingest',
  help: HELP,
  options: OPTIONS,
  subcommands: ['serve', 'keys'],
  handler: async ({ values, sub: command, args, io, extra: options }) => {
    if (command === 'serve') return serve(values, io, options.signal);
    const [sub, ...rest] = args;
    return keys(sub, rest, values, io);
  },
});

async function serve(
  values: { config?: string | undefined; port?: string | undefined; 'log-level'?: string | undefined },
  io: CliIo,
  signal?: AbortSignal,
): Promise<number> {
  if (!values.config) throw new UsageError('serve needs --config FILE');
  const level = values['log-level'];
  if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level: unknown level "${level}"`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UsageError('--port: expected a port number');
  const config = await loadEngineConfig(values.config, io.env);
  if (!config.ingest) throw new UsageError(`${config.file}: no ingest section (see README, "HTTP ingest")`);
  if (!config.storage) throw new UsageError(`${config.file}: the ingest keeps its write keys in the store: add a storage section`);
  const logger = createLogger({ level: level ?? config.logging.level });
  const stop = listenForStop(signal);
  const closers: Array<() => Promise<void>> = [];
  try {
    let ingestConfig = config.ingest;
    let sink;
    let db;
    let registry: Registry;
    let sharedDedup: SharedMessageIds | undefined;
    if (config.kafka) {
      sink = await kafkaIngestSink(config.kafka);
      closers.push(() => sink!.close());
      db = await openDb({ url: config.storage.databaseUrl, dataDir: config.storage.dataDir, schema: config.storage.schema, create: false });
      closers.push(() => db!.close());
      // Several ingest processes can share a PostgreSQL store (an embedded one has a single owner).
      if (ingestConfig.dedup.shared && db.engine === 'postgres') {
        const shared = sharedMessageIds(db, ingestConfig);
        shared.startSweeping(60_000);
        closers.push(async () => shared.stop());
        sharedDedup = shared;
      }
      registry = new Registry();
      if (config.metrics) {
        const server = await startObservabilityServer({ port: config.metrics.port, host: config.metrics.host, registry, ready: () => ({ broker: true }) });
        closers.push(() => server.close());
      }
    } else {
      // Embedded: the pipeline takes the ingest's batches itself; a source's batches carry its name as their topic.
      const feed = new PipelineFeed();
      sink = feed;
      ingestConfig = { ...ingestConfig, sources: ingestConfig.sources.map((s) => ({ ...s, topic: s.name })) };
      const engine = await startFeedEngine(config, { logger, env: io.env, source: feed, sourceName: (topic) => topic });
      closers.push(() => engine.stop());
      db = engine.durable!.storage.db;
      // The engine's /metrics (metrics.port) shows the ingest's counters too.
      registry = engine.metrics.registry;
    }
    const ingest = await startIngest({
      config: ingestConfig,
      sink,
      writeKeys: new WriteKeyStore(db),
      sharedDedup,
      logger,
      registry,
      ...(port !== undefined ? { port } : {}),
    });
    closers.unshift(() => ingest.close());
    io.stderr.write(
      `segmentloom ingest: listening on ${ingest.url} (POST /v1/batch …)${config.kafka ? '' : `; outputs in ${config.files?.outDir ?? 'out'}`}\n`,
    );
    await stop.requested;
    return EXIT.ok;
  } finally {
    stop.dispose();
    for (const close of closers) await close().catch(() => {});
  }
}

async function keys(sub: string | undefined, args: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!sub || !['create', 'list', 'rotate', 'revoke'].includes(sub)) throw new UsageError(`ingest keys: expected create, list, rotate or revoke (see --help)`);
  const id = args[0];
  if ((sub === 'rotate' || sub === 'revoke') && !(id && /^[0-9a-f]{16}$/.test(id)))
    throw new UsageError(`keys ${sub}: expected a write key id (16 hex digits)`);
  const source = typeof values.source === 'string' ? values.source.trim() : '';
  if (sub === 'create' && source === '') throw new UsageError('keys create needs --source NAME');
  const overlap = values['overlap-seconds'] === undefined ? 3600 : Number(values['overlap-seconds']);
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap <= MAX_OVERLAP_SECONDS))
    throw new UsageError(`--overlap-seconds: expected 0 to ${MAX_OVERLAP_SECONDS}`);
  const db = await openCliDb(values, io.env);
  const store = new WriteKeyStore(db);
  try {
    if (sub === 'list') {
      const all = await store.list();
      io.stdout.write(
        values.format === 'json'
          ? `${JSON.stringify(all, null, 2)}\n`
          : formatTable(
              ['ID', 'SOURCE', 'CREATED', 'REVOKED', 'LIVE SECRETS'],
              all.map((k) => [k.id, k.source, k.createdAt, k.revokedAt, k.secrets.map((s) => (s.expiresAt ? `until ${s.expiresAt}` : 'current')).join(', ')]),
            ),
      );
      return EXIT.ok;
    }
    if (sub === 'create') {
      const issued = await auditedWriteKeys.create(db, store, { source, actor: CLI_ACTOR });
      io.stderr.write(`Created write key ${issued.key.id} for source ${source}. It is shown once and stored only hashed:\n`);
      io.stdout.write(`${issued.writeKey}\n`);
      return EXIT.ok;
    }
    if (sub === 'rotate') {
      const issued = await auditedWriteKeys.rotate(db, store, { id: id!, overlapSeconds: overlap, actor: CLI_ACTOR });
      if (!issued) throw new NotFoundError('active write key');
      io.stderr.write(`Rotated write key ${id}; the previous one stops working in ${overlap} s. New write key (shown once):\n`);
      io.stdout.write(`${issued.writeKey}\n`);
      return EXIT.ok;
    }
    const revoked = await auditedWriteKeys.revoke(db, store, { id: id!, actor: CLI_ACTOR });
    if (!revoked) throw new NotFoundError('write key');
    io.stderr.write(`Revoked write key ${id}.\n`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
