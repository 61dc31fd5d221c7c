#!/usr/bin/env node
// Local Kafka for development, without Docker (needs java 17 + mvn; jars come from Maven Central).
//   node scripts/kafka.js up     start a broker in the background, print KAFKA_BROKERS=127.0.0.1:PORT
//   node scripts/kafka.js down   stop the broker recorded in .kafka/state.json
//   node scripts/kafka.js jars   only fetch the broker jars into .kafka/lib
//   node scripts/kafka.js status print the recorded broker, if it is running
// npm scripts: `npm run kafka:up`, `npm run kafka:down`.
import { DEFAULT_CACHE_DIR, clearState, ensureKafkaJars, readState, startKafka, stopKafkaByPid, writeState } from './kafka-broker.js';
import { pidAlive, pidCmdline, tcpAnswers } from './java-service.js';

const cacheDir = process.env.SEGMENTLOOM_KAFKA_CACHE ?? DEFAULT_CACHE_DIR;

async function running() {
  const state = readState(cacheDir);
  if (!state?.pid || !pidAlive(state.pid) || !pidCmdline(state.pid).includes('kafka.Kafka')) return undefined;
  const [host, port] = String(state.brokers).split(':');
  if (!(await tcpAnswers(host ?? '127.0.0.1', Number(port)))) return undefined;
  return state;
}

/** @param {string | undefined} cmd */
async function main(cmd) {
  switch (cmd) {
    case 'jars': {
      const { libDir, version, fetched } = await ensureKafkaJars({ cacheDir });
      process.stderr.write(`Kafka ${version} jars ${fetched ? 'fetched into' : 'already cached in'} ${libDir}\n`);
      return 0;
    }
    case 'up': {
      const existing = await running();
      if (existing) {
        process.stderr.write(`Kafka already running (pid ${existing.pid}, ${existing.dir})\n`);
        process.stdout.write(`KAFKA_BROKERS=${existing.brokers}\n`);
        return 0;
      }
      const t0 = Date.now();
      const broker = await startKafka({ cacheDir, detached: true });
      writeState({ brokers: broker.brokers, pid: broker.pid, dir: broker.dir, version: broker.version, startedAt: new Date().toISOString() }, cacheDir);
      // Recorded: from here `kafka:down` can stop it, so it may outlive this process.
      broker.release();
      process.stderr.write(
        `Kafka ${broker.version} up in ${((Date.now() - t0) / 1000).toFixed(1)}s (pid ${broker.pid}, log ${broker.logFile}); stop with: npm run kafka:down\n`,
      );
      process.stdout.write(`KAFKA_BROKERS=${broker.brokers}\n`);
      return 0;
    }
    case 'down': {
      const state = readState(cacheDir);
      if (!state) {
        process.stderr.write('No Kafka broker recorded in .kafka/state.json\n');
        return 0;
      }
      await stopKafkaByPid({ pid: state.pid, dir: state.dir });
      clearState(cacheDir);
      process.stderr.write(`Kafka broker (pid ${state.pid}) stopped\n`);
      return 0;
    }
    case 'status': {
      const state = await running();
      if (!state) {
        process.stderr.write('No Kafka broker running\n');
        return 1;
      }
      process.stdout.write(`KAFKA_BROKERS=${state.brokers}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: node scripts/kafka.js up|down|jars|status\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`kafka: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
