// A real Apache Kafka broker for development and tests, without Docker: the broker jars come from
// Maven Central (via mvn) and run as a single KRaft node (broker + controller) on free ports.
// Plain Node ESM, built-ins only. Used by scripts/kafka.js (CLI) and test/setup/kafka.global.ts.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createServerCert, createTruststore } from './test-certs.js';
import {
  DEFAULT_CACHE_DIR,
  exists,
  launchJava,
  freePorts,
  javaAvailable,
  mavenAvailable,
  pidAlive,
  pidCmdline,
  progress,
  readJson,
  runMaven,
  tailFile,
  tcpAnswers,
  terminate,
  waitUntil,
  withLock,
} from './java-service.js';

export { DEFAULT_CACHE_DIR, javaAvailable, mavenAvailable };

/** @typedef {{ libDir: string; version: string; fetched: boolean }} KafkaJars */
/**
 * @typedef {object} StartKafkaOptions
 * @property {string} [cacheDir] Jar cache; default <repo>/.kafka.
 * @property {string} [logDir] Where the broker log goes; default the broker's temp dir (removed by stop()).
 * @property {number} [readyTimeoutMs] Default 120 000.
 * @property {boolean} [detached] The broker outlives this process (CLI `up`): no exit hook, no watchdog.
 * @property {'plaintext' | 'tls'} [security] 'tls': SSL and SASL_SSL (SCRAM-SHA-512) listeners only.
 */
/** @typedef {{ mechanism: 'scram-sha-512'; username: string; password: string }} ScramUser */
/**
 * @typedef {object} RunningKafka
 * @property {string} brokers '127.0.0.1:PORT'
 * @property {number} pid
 * @property {string} dir
 * @property {string} logFile
 * @property {string} version
 * @property {() => Promise<void>} stop
 * @property {() => void} release Detached brokers: lets it outlive this process (until then it dies with it).
 * @property {'plaintext' | 'tls'} security
 * @property {string} [caFile] TLS brokers: the PEM CA that signed the broker certificate.
 * @property {string} [saslBrokers] TLS brokers: '127.0.0.1:PORT' of the SASL_SSL listener.
 * @property {ScramUser} [scram]
 */
/** @typedef {{ brokers: string; pid: number; dir: string; version?: string; startedAt?: string }} KafkaState */
/** @typedef {{ saslPort: number; keystore: string; truststore: string; password: string; caFile: string }} BrokerTls */

/** Newest first; the first that resolves on Maven Central wins. KAFKA_VERSION overrides. */
/** @type {readonly string[]} */
export const KAFKA_VERSIONS = ['3.9.2', '3.9.1', '3.9.0'];
const SLF4J_BACKEND = 'org.slf4j:slf4j-reload4j:1.7.36';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MARKER = '.complete.json';

/** @param {string} version */
function pom(version) {
  const [g, a, v] = SLF4J_BACKEND.split(':');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.segmentloom.local</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>
  </dependencies>
</project>
`;
}

/**
 * The cached classpath if complete (marker present and every listed jar still there).
 * @param {string} libDir
 * @returns {{ version: string; jars: string[] } | undefined}
 */
function cachedJars(libDir) {
  const marker = readJson(join(libDir, MARKER));
  if (!marker || !Array.isArray(marker.jars) || marker.jars.length === 0) return undefined;
  if (!marker.jars.every((/** @type {string} */ j) => exists(join(libDir, j)))) return undefined;
  return marker;
}

/** True when the broker jars are already cached (so mvn is not needed). @param {{ cacheDir?: string }} [opts] */
export function cachedKafkaJars({ cacheDir = DEFAULT_CACHE_DIR } = {}) {
  return Boolean(cachedJars(join(cacheDir, 'lib')));
}

/**
 * Makes sure `<cacheDir>/lib` holds the Kafka broker's runtime classpath. Runs mvn only when the
 * cache is missing or incomplete. Resolves with { libDir, version, fetched }.
 * @param {{ cacheDir?: string }} [opts]
 * @returns {Promise<KafkaJars>}
 */
export async function ensureKafkaJars({ cacheDir = DEFAULT_CACHE_DIR } = {}) {
  const libDir = join(cacheDir, 'lib');
  const hit = cachedJars(libDir);
  if (hit) return { libDir, version: hit.version, fetched: false };

  return withLock(join(cacheDir, '.lib.lock'), async () => {
    const again = cachedJars(libDir);
    if (again) return { libDir, version: again.version, fetched: false };
    if (!mavenAvailable()) throw new Error('mvn is not on PATH: install Maven (and Java 17) to fetch the Kafka broker jars');

    const versions = process.env.KAFKA_VERSION ? [process.env.KAFKA_VERSION] : KAFKA_VERSIONS;
    /** @type {string[]} */
    const failures = [];
    for (const version of versions) {
      const work = mkdtempSync(join(tmpdir(), 'segmentloom-kafka-pom-'));
      const staging = join(cacheDir, `lib.staging-${process.pid}`);
      try {
        rmSync(staging, { recursive: true, force: true });
        writeFileSync(join(work, 'pom.xml'), pom(version));
        progress(`fetching Apache Kafka ${version} broker jars from Maven Central with mvn (first run only) …`);
        const t0 = Date.now();
        const { code, output } = await runMaven([`${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], {
          cwd: work,
        });
        if (code !== 0) {
          failures.push(`kafka_2.13:${version}: mvn exited ${code}\n${output.slice(-1500)}`);
          progress(`kafka_2.13:${version} did not resolve, trying the next version`);
          continue;
        }
        const jars = readdirSync(staging)
          .filter((f) => f.endsWith('.jar'))
          .sort();
        if (!jars.some((j) => j.startsWith(`kafka_2.13-${version}`))) {
          failures.push(`kafka_2.13:${version}: mvn succeeded but the broker jar is missing`);
          continue;
        }
        writeFileSync(join(staging, MARKER), JSON.stringify({ version, jars, fetchedAt: new Date().toISOString() }, null, 2));
        rmSync(libDir, { recursive: true, force: true });
        renameSync(staging, libDir);
        progress(`Kafka ${version}: ${jars.length} jars cached in ${libDir} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
        return { libDir, version, fetched: true };
      } finally {
        rmSync(work, { recursive: true, force: true });
        rmSync(staging, { recursive: true, force: true });
      }
    }
    throw new Error(`could not fetch the Kafka broker jars from Maven Central:\n${failures.join('\n\n')}`);
  });
}

/** @param {{ dir: string; port: number; controllerPort: number; tls: BrokerTls | undefined }} opts */
function serverProperties({ dir, port, controllerPort, tls }) {
  const listeners = tls
    ? [
        `listeners=SSL://127.0.0.1:${port},SASL_SSL://127.0.0.1:${tls.saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=SSL://127.0.0.1:${port},SASL_SSL://127.0.0.1:${tls.saslPort}`,
        'inter.broker.listener.name=SSL',
        // Every listener speaks TLS, the controller's too: nothing on this broker is plain text.
        'listener.security.protocol.map=CONTROLLER:SSL,SSL:SSL,SASL_SSL:SASL_SSL',
        'ssl.keystore.type=PKCS12',
        `ssl.keystore.location=${tls.keystore}`,
        `ssl.keystore.password=${tls.password}`,
        `ssl.key.password=${tls.password}`,
        'ssl.truststore.type=PKCS12',
        `ssl.truststore.location=${tls.truststore}`,
        `ssl.truststore.password=${tls.password}`,
        'ssl.enabled.protocols=TLSv1.3,TLSv1.2',
        'ssl.protocol=TLSv1.3',
        'ssl.client.auth=none',
        'ssl.endpoint.identification.algorithm=https',
        'sasl.enabled.mechanisms=SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      ]
    : [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      ];
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    ...listeners,
    'controller.listener.names=CONTROLLER',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'group.initial.rebalance.delay.ms=0',
    // Small, short-lived storage: this broker is for development and tests.
    'log.retention.hours=1',
    'log.retention.bytes=104857600',
    'log.segment.bytes=16777216',
    'log.retention.check.interval.ms=60000',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'delete.topic.enable=true',
    '',
  ].join('\n');
}

/** The SCRAM-SHA-512 user a TLS broker is formatted with (the SASL_SSL listener's only account). */
/** @type {ScramUser} */
export const SCRAM_USER = { mechanism: 'scram-sha-512', username: 'segmentloom', password: 'scram-test-password' };

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
`;

const JVM_FLAGS = ['-Xmx512m', '-Xms256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/**
 * A random Kafka cluster id: 16 random bytes, base64url without padding (22 chars), as Uuid wants.
 * Never one starting with '-': StorageTool's argument parser takes `-t -abc…` for a flag and fails
 * the format (1 start in 64; Kafka's own Uuid.randomUuid skips such ids for the same reason).
 */
export function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-') return id;
  }
}

const READY_LINE = /Kafka Server started/;

/**
 * Starts a single-node KRaft Kafka broker on free ports.
 *
 * Options: cacheDir (jar cache, default <repo>/.kafka), logDir (where broker.log goes; default the
 * temp dir), readyTimeoutMs (120s), detached (CLI use: the broker may outlive this process once
 * `release()` is called; until then it dies with it, so an interrupted start leaves no JVM behind).
 * security: 'plaintext' (default) or 'tls': every listener speaks TLS 1.2/1.3 with a CA and broker
 * certificate made for this run (127.0.0.1 and localhost), `brokers` is the SSL listener and
 * `saslBrokers` a SASL_SSL listener taking the SCRAM-SHA-512 user `scram` (created at format time).
 * Resolves with { brokers: '127.0.0.1:PORT', pid, dir, logFile, stop(), release(), security,
 * caFile?, saslBrokers?, scram? }.
 * @param {StartKafkaOptions} [opts]
 * @returns {Promise<RunningKafka>}
 */
export async function startKafka({ cacheDir = DEFAULT_CACHE_DIR, logDir, readyTimeoutMs = 120_000, detached = false, security = 'plaintext' } = {}) {
  if (security !== 'plaintext' && security !== 'tls') throw new Error(`startKafka: security must be "plaintext" or "tls", not ${JSON.stringify(security)}`);
  if (!javaAvailable()) throw new Error('java is not on PATH: install a JDK (17) to run the local Kafka broker');
  const { libDir, version } = await ensureKafkaJars({ cacheDir });
  const classpath = join(libDir, '*');

  const dir = mkdtempSync(join(tmpdir(), 'segmentloom-kafka-'));
  const [port, controllerPort, saslPort] = /** @type {[number, number, number]} */ (await freePorts(3));
  const propsFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j.properties');
  const tls = security === 'tls' ? brokerTls(join(dir, 'certs'), saslPort) : undefined;
  writeFileSync(propsFile, serverProperties({ dir, port, controllerPort, tls }));
  writeFileSync(log4jFile, LOG4J);
  if (logDir) mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir ?? dir, logDir ? `kafka-${port}.log` : 'broker.log');
  const log4jFlag = `-Dlog4j.configuration=file:${log4jFile}`;

  const fmt = spawnSync(
    'java',
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      log4jFlag,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      randomClusterId(),
      '-c',
      propsFile,
      ...(tls ? ['--add-scram', `SCRAM-SHA-512=[name=${SCRAM_USER.username},password=${SCRAM_USER.password}]`] : []),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (fmt.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`kafka StorageTool format failed (exit ${fmt.status}):\n${(fmt.stdout ?? '') + (fmt.stderr ?? '')}`.slice(0, 6000));
  }

  const { child, pid, stop, release } = launchJava({
    args: [...JVM_FLAGS, log4jFlag, '-cp', classpath, 'kafka.Kafka', propsFile],
    dir,
    logFile,
    what: 'Kafka broker',
    detached,
  });

  try {
    await waitUntil({
      what: `Kafka broker (pid ${pid})`,
      child,
      logFile,
      timeoutMs: readyTimeoutMs,
      check: async () => READY_LINE.test(tailFile(logFile, 64_000)) && (await tcpAnswers('127.0.0.1', port)),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  /** @type {Pick<RunningKafka, 'security' | 'caFile' | 'saslBrokers' | 'scram'>} */
  const secured = tls ? { security: 'tls', caFile: tls.caFile, saslBrokers: `127.0.0.1:${saslPort}`, scram: { ...SCRAM_USER } } : { security: 'plaintext' };
  return { brokers: `127.0.0.1:${port}`, pid, dir, logFile, version, stop, release, ...secured };
}

/**
 * A CA made for this broker and its PKCS12 keystore/truststore (the CA file is what clients trust).
 * @param {string} certDir
 * @param {number} saslPort
 * @returns {BrokerTls}
 */
function brokerTls(certDir, saslPort) {
  const password = randomBytes(12).toString('hex');
  const ca = createCa(certDir, 'Segmentloom Kafka Test CA');
  const { p12File } = createServerCert(ca, { name: 'broker', ips: ['127.0.0.1'], dns: ['localhost'], pkcs12Password: password });
  if (!p12File) throw new Error('createServerCert made no PKCS12 keystore');
  return { caFile: ca.certFile, keystore: p12File, truststore: createTruststore(ca, password), password, saslPort };
}

/**
 * Stops a broker started elsewhere (the CLI's `up`), by pid, after checking that the pid still is
 * that broker. Removes its temp dir.
 * @param {{ pid: number; dir?: string }} state
 */
export async function stopKafkaByPid({ pid, dir }) {
  if (pid && pidAlive(pid)) {
    const cmd = pidCmdline(pid);
    if (cmd && !(cmd.includes('kafka.Kafka') && (!dir || cmd.includes(dir)))) {
      throw new Error(`pid ${pid} is not the Kafka broker of ${dir ?? 'this state file'} (it runs: ${cmd.slice(0, 200)})`);
    }
    await terminate(pid, { graceMs: 20_000 });
  }
  if (dir?.includes('segmentloom-kafka-')) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** @returns {KafkaState | undefined} */
export function readState(cacheDir = DEFAULT_CACHE_DIR) {
  return readJson(join(cacheDir, 'state.json'));
}

/** @param {KafkaState} state */
export function writeState(state, cacheDir = DEFAULT_CACHE_DIR) {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearState(cacheDir = DEFAULT_CACHE_DIR) {
  rmSync(join(cacheDir, 'state.json'), { force: true });
}
