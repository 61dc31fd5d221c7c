// A three-node KRaft Kafka cluster (each node broker + controller) for fault tests: replication
// factor 3 and min.insync.replicas=2 by default, small heaps. Nodes can be SIGKILLed and started
// again on the same ports and data. Same Maven Central jars as scripts/kafka-broker.js.
// Plain Node ESM, built-ins only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafkaJars, randomClusterId } from './kafka-broker.js';
import { DEFAULT_CACHE_DIR, freePorts, launchJava, pidAlive, tailFile, tcpAnswers, terminate, waitUntil } from './java-service.js';

const JVM_FLAGS = ['-Xmx320m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:CICompilerCount=1', '-Djava.awt.headless=true'];
const LOG4J = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
`;
const READY_LINE = /Kafka Server started|\[BrokerServer id=\d+\] Transition from STARTING to STARTED/;

/**
 * @typedef {object} ClusterNode
 * @property {number} id
 * @property {number} port
 * @property {string} address '127.0.0.1:PORT'
 * @property {string} logFile
 * @property {number | undefined} pid
 * @property {() => boolean} alive
 * @property {() => Promise<void>} start
 * @property {(signal?: NodeJS.Signals) => void} kill
 * @property {() => Promise<void>} stop
 */
/**
 * @typedef {object} KafkaCluster
 * @property {string} brokers
 * @property {ClusterNode[]} nodes
 * @property {(id: number) => ClusterNode | undefined} node
 * @property {string} root
 * @property {() => Promise<void>} stop
 */

/** @param {{ id: number; dir: string; port: number; controllerPort: number; voters: string }} opts */
function nodeProperties({ id, dir, port, controllerPort, voters }) {
  return [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=3',
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'unclean.leader.election.enable=false',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=3',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'transaction.state.log.num.partitions=3',
    'group.initial.rebalance.delay.ms=0',
    // A killed node is declared gone quickly (the default session is 9 s).
    'broker.session.timeout.ms=6000',
    'broker.heartbeat.interval.ms=1000',
    'replica.lag.time.max.ms=5000',
    'log.segment.bytes=16777216',
    'num.network.threads=1',
    'num.io.threads=2',
    'num.replica.fetchers=1',
    'num.recovery.threads.per.data.dir=1',
    'background.threads=2',
    '',
  ].join('\n');
}

/**
 * Starts `size` nodes (default 3). Resolves with { brokers: 'h:p,h:p,h:p', nodes: [{ id, port,
 * pid, alive(), kill(signal), start() }], node(id), stop() }.
 * @param {{ size?: number; cacheDir?: string; readyTimeoutMs?: number }} [opts]
 * @returns {Promise<KafkaCluster>}
 */
export async function startKafkaCluster({ size = 3, cacheDir = DEFAULT_CACHE_DIR, readyTimeoutMs = 180_000 } = {}) {
  const { libDir } = await ensureKafkaJars({ cacheDir });
  const classpath = join(libDir, '*');
  const root = mkdtempSync(join(tmpdir(), 'segmentloom-kafka-cluster-'));
  const ports = await freePorts(size * 2);
  /** @param {number} i */
  const port = (i) => {
    const p = ports[i];
    if (p === undefined) throw new Error(`freePorts returned no port ${i}`);
    return p;
  };
  const specs = Array.from({ length: size }, (_, i) => {
    const dir = join(root, `node-${i + 1}`);
    return { id: i + 1, port: port(2 * i), controllerPort: port(2 * i + 1), dir, propsFile: join(dir, 'server.properties'), logFile: join(dir, 'node.log') };
  });
  const voters = specs.map((s) => `${s.id}@127.0.0.1:${s.controllerPort}`).join(',');
  const clusterId = randomClusterId();
  const log4jFile = join(root, 'log4j.properties');
  writeFileSync(log4jFile, LOG4J);
  const log4jFlag = `-Dlog4j.configuration=file:${log4jFile}`;

  for (const spec of specs) {
    mkdirSync(spec.dir, { recursive: true });
    writeFileSync(spec.propsFile, nodeProperties({ ...spec, voters }));
    const fmt = spawnSync(
      'java',
      [
        '-Xmx192m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        log4jFlag,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        spec.propsFile,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (fmt.status !== 0) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`kafka StorageTool format (node ${spec.id}) failed (exit ${fmt.status}):\n${(fmt.stdout ?? '') + (fmt.stderr ?? '')}`.slice(0, 4000));
    }
  }

  const nodes = specs.map((spec) => {
    /** @type {ReturnType<typeof launchJava> | undefined} */
    let launched;
    /** @type {ClusterNode} */
    const node = {
      id: spec.id,
      port: spec.port,
      address: `127.0.0.1:${spec.port}`,
      logFile: spec.logFile,
      get pid() {
        return launched?.pid;
      },
      alive: () => launched !== undefined && pidAlive(launched.pid),
      /** Starts (or restarts, on the same data) this node and waits until it serves. */
      async start() {
        // launchJava's own stop removes the directory; this node's lives under `root`, removed by the cluster's stop.
        const started = launchJava({
          args: [...JVM_FLAGS, log4jFlag, '-cp', classpath, 'kafka.Kafka', spec.propsFile],
          dir: spec.dir,
          logFile: spec.logFile,
          what: `Kafka node ${spec.id}`,
        });
        launched = started;
        const mark = `---- start ${Date.now()} ----`;
        writeFileSync(spec.logFile, `${mark}\n`, { flag: 'a' });
        await waitUntil({
          what: `Kafka node ${spec.id} (pid ${started.pid})`,
          child: started.child,
          logFile: spec.logFile,
          timeoutMs: readyTimeoutMs,
          check: async () => READY_LINE.test(tailFile(spec.logFile, 64_000).split(mark).pop() ?? '') && (await tcpAnswers('127.0.0.1', spec.port)),
        });
      },
      /** Kills the node's JVM for real (default SIGKILL: no shutdown hook, no clean leadership hand-over). */
      kill(signal = 'SIGKILL') {
        if (launched && pidAlive(launched.pid)) process.kill(launched.pid, signal);
      },
      async stop() {
        if (launched && pidAlive(launched.pid)) await terminate(launched.pid, { child: launched.child, graceMs: 15_000 });
      },
    };
    return node;
  });

  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    // Together: a controller quorum needs a majority of voters up before any node is ready.
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers: nodes.map((n) => n.address).join(','), nodes, node: (id) => nodes.find((n) => n.id === id), root, stop };
}
