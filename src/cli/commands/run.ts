import { access } from 'node:fs/promises';
import { loadEngineConfig } from '../../config/load.js';
import { createLogger, isLogLevel, LOG_LEVELS } from '../../core/logger.js';
import { runFileEngine, startKafkaEngine } from '../../app/start.js';
import { formatSummary, summarize } from '../../app/summary.js';
import { EXIT, UsageError } from '../io.js';
import { defineCommand } from '../registry.js';
import { listenForStop } from '../stop-signal.js';

const HELP = `Usage: segmentloom run --config FILE [--input FILE|-] [--out DIR]

Runs the privacy pipeline: every event is decoded, checked against suppression, classified,
controlled by the policies and written to each destination it may reach. Messages that cannot be
processed go, intact, to the dead-letter target.

  With --input (or files.input in the config), reads NDJSON events from FILE (or stdin with "-"),
  writes one NDJSON file per destination plus dead-letter.ndjson to DIR, and prints a summary.
  Otherwise consumes the Kafka topics of the config until SIGTERM/SIGINT, serving /metrics,
  /healthz and /readyz when metrics.port is set. Config and classifier changes are hot-reloaded.

  With a storage section, accepted events are also stored encrypted (after source-level
  policies) before each batch is committed; inventory, review, alerts and suppression.fromStore
  add the shared inventory, reviewed classifications, alerts and store-backed suppression.

Options:
  --config FILE      engine config (YAML; see config/segmentloom.example.yaml)
  --input FILE|-     NDJSON input: run the embedded file pipeline instead of Kafka
  --out DIR          output directory of the file pipeline (default: files.outDir, else ./out)
  --json             print the file-pipeline summary as JSON
  --log-level LEVEL  override logging.level (fatal, error, warn, info, debug, trace, silent)
  -h, --help         this help
`;

export interface RunOptions {
  /** Stops a Kafka run like SIGTERM does (in-process use and tests). */
  signal?: AbortSignal;
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  input: { type: 'string', short: 'i' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

export const run = defineCommand<typeof OPTIONS, RunOptions>({
  name: 'run',
  help: HELP,
  positionals: false,
  options: OPTIONS,
  handler: async ({ values, io, extra: options }) => {
    if (values.config === undefined) throw new UsageError('--config FILE is required');
    const flagLevel = values['log-level'];
    if (flagLevel !== undefined && !isLogLevel(flagLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const config = await loadEngineConfig(values.config, io.env);
    const level = flagLevel ?? config.logging.level;
    const logger = createLogger({ level, destination: io.stderr });

    const input = values.input ?? config.files?.input;
    if (input !== undefined) {
      if (input !== '-') {
        try {
          await access(input);
        } catch {
          throw new UsageError(`cannot read input file ${input}`);
        }
      }
      const result = await runFileEngine(config, {
        logger,
        env: io.env,
        input,
        outDir: values.out,
        stdin: io.stdin as import('node:stream').Readable | undefined,
      });
      const summary = summarize(result.totals.totals, result.tally, result.files, result.durable);
      io.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
      return EXIT.ok;
    }
    if (config.kafka === undefined) {
      throw new UsageError(`${config.file} has no kafka section and no files.input: pass --input FILE (or -) to run on a file`);
    }
    if (values.out !== undefined) throw new UsageError('--out applies to the file pipeline (--input) only');

    // Listening for a stop before the engine starts: a signal while it joins the group, or right
    // after the ready line, stops it cleanly instead of killing it mid-batch.
    const stop = listenForStop(options.signal);
    try {
      const engine = await startKafkaEngine(config, { logger, env: io.env });
      logger.info({ topics: config.kafka.topics.length, groupId: config.kafka.groupId, destinations: config.policy.destinations.length }, 'engine running');
      const reason = await stop.requested;
      logger.info({ signal: reason }, 'stopping: finishing the batch in flight');
      await engine.stop();
      const totals = engine.totals.totals;
      logger.info({ eventsIn: totals.eventsIn, batches: engine.totals.batches }, 'engine stopped');
      return EXIT.ok;
    } finally {
      stop.dispose();
    }
  },
});
