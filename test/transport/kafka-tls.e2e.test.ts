// Encrypted transport to Kafka, against a real broker whose every listener speaks TLS (1.2/1.3
// only, certificates made for this run): the engine consumes and produces through the SSL listener
// and through SASL_SSL with a SCRAM-SHA-512 user, with each consumer client; a TLS 1.1 client is
// refused; a certificate signed by another CA fails the start at once, naming the broker.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedKafkaJars, javaAvailable, mavenAvailable, startKafka, type RunningKafka } from '../../scripts/kafka-broker.js';
import { createCa } from '../../scripts/test-certs.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { startKafkaEngine, type EngineHandle } from '../../src/app/start.js';
import { requireBuild, segmentloomAsync } from '../cli/helpers.js';
import { policyYaml, sampleEvent, tempDir } from '../pipeline/helpers.js';
import { createTopics, produce, TopicReader, uniqueName } from '../pipeline/kafka-helpers.js';

const canRun = javaAvailable() && (mavenAvailable() || cachedKafkaJars()) && process.env.SEGMENTLOOM_SKIP_KAFKA !== '1';

describe.skipIf(!canRun)('Kafka over TLS (SSL and SASL_SSL/SCRAM-SHA-512 listeners)', () => {
  let broker: RunningKafka;
  let ca: string;
  let admin: Kafka;
  const engines: EngineHandle[] = [];
  const readers: TopicReader[] = [];
  const dir = tempDir('sl-kafka-tls-');

  beforeAll(async () => {
    broker = await startKafka({ security: 'tls' });
    ca = readFileSync(broker.caFile!, 'utf8');
    admin = new Kafka({ clientId: 'tls-test', brokers: [broker.brokers], ssl: { ca: [ca] }, logLevel: logLevel.NOTHING });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop().catch(() => {})));
    await Promise.all(readers.map((r) => r.stop().catch(() => {})));
    await broker?.stop();
  });

  function engineYaml(t: Record<'input' | 'warehouse' | 'analytics' | 'ads' | 'dlq', string>, kafka: string): string {
    return `
source: web
kafka:
${kafka}
  groupId: ${uniqueName('tls-group')}
  topics: [${t.input}]
  fromBeginning: true
  sessionTimeoutMs: 10000
  heartbeatIntervalMs: 1000
deadLetter: { topic: ${t.dlq} }
batch: { maxWaitMs: 50, workers: 0 }
${policyYaml(t)}`;
  }

  async function runThrough(consumer: 'kafkajs' | 'platformatic', kafkaSection: string): Promise<{ warehouse: string[]; ads: string[] }> {
    const t = {
      input: uniqueName('tls-in'),
      warehouse: uniqueName('tls-wh'),
      analytics: uniqueName('tls-an'),
      ads: uniqueName('tls-ads'),
      dlq: uniqueName('tls-dlq'),
    };
    await createTopics(admin, Object.values(t), 2);
    const events = Array.from({ length: 20 }, (_, i) => ({
      key: `user-${i % 4}`,
      value: JSON.stringify(sampleEvent({ messageId: `${consumer}-${i}`, userId: `user-${i % 4}`, seq: i })),
    }));
    await produce(admin, t.input, events);
    const file = join(dir, `${consumer}-${uniqueName('engine')}.yaml`);
    writeFileSync(file, engineYaml(t, `${kafkaSection}\n  consumer: ${consumer}`));
    const engine = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {} });
    engines.push(engine);
    const reader = await new TopicReader(admin, [t.warehouse, t.ads]).start();
    readers.push(reader);
    await reader.waitFor(() => reader.of(t.warehouse).length >= 20 && reader.of(t.ads).length >= 20, 60_000, `${consumer} outputs over TLS`);
    return { warehouse: reader.json(t.warehouse).map((e) => e.messageId), ads: reader.json(t.ads).map((e) => e.properties.email) };
  }

  it('runs the engine through the SSL listener, verifying the broker certificate (@platformatic/kafka consumer)', async () => {
    const out = await runThrough('platformatic', `  brokers: "${broker.brokers}"\n  ssl: { caFile: "${broker.caFile}" }`);
    expect(new Set(out.warehouse)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `platformatic-${i}`)));
    // Enforcement ran on the way: ads get the pseudonym, never the address.
    for (const email of out.ads) expect(email).toMatch(/^hmac:v1:/);
  }, 90_000);

  it('runs the engine through SASL_SSL with a SCRAM-SHA-512 user (@platformatic/kafka consumer)', async () => {
    const { scram } = broker;
    const out = await runThrough(
      'platformatic',
      `  brokers: "${broker.saslBrokers}"\n  ssl: { caFile: "${broker.caFile}" }\n  sasl: { mechanism: scram-sha-512, username: ${scram!.username}, password: "${scram!.password}" }`,
    );
    expect(new Set(out.warehouse)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `platformatic-${i}`)));
  }, 90_000);

  it('runs the engine through SASL_SSL with the kafkajs consumer too', async () => {
    const { scram } = broker;
    const out = await runThrough(
      'kafkajs',
      `  brokers: "${broker.saslBrokers}"\n  ssl: { caFile: "${broker.caFile}" }\n  sasl: { mechanism: scram-sha-512, username: ${scram!.username}, password: "${scram!.password}" }`,
    );
    expect(out.warehouse).toHaveLength(20);
  }, 90_000);

  it('negotiates TLS 1.3 by default and accepts a TLS 1.2 client', async () => {
    expect(await negotiate(broker.brokers, { ca: [ca] })).toBe('TLSv1.3');
    expect(await negotiate(broker.brokers, { ca: [ca], maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
    expect(await negotiate(broker.saslBrokers!, { ca: [ca], maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
  });

  it('refuses a client that speaks only TLS 1.1, on both listeners', async () => {
    // SECLEVEL=0 lets this client's OpenSSL offer TLS 1.1 at all: the refusal is the broker's.
    for (const endpoint of [broker.brokers, broker.saslBrokers!]) {
      await expect(negotiate(endpoint, { ca: [ca], minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(
        /protocol version|handshake failure|unsupported protocol|socket disconnected/i,
      );
    }
  });

  it('refuses a plain-text Kafka client on the TLS listener', async () => {
    const plain = new Kafka({
      clientId: 'plain',
      brokers: [broker.brokers],
      connectionTimeout: 2000,
      requestTimeout: 3000,
      retry: { retries: 1 },
      logLevel: logLevel.NOTHING,
    });
    const plainAdmin = plain.admin();
    await expect(plainAdmin.connect().then(() => plainAdmin.listTopics())).rejects.toThrow();
    await plainAdmin.disconnect().catch(() => {});
  });

  it('fails the engine start at once with an error naming the broker when its certificate is from another CA', async () => {
    const other = createCa(join(dir, 'other-ca'), 'Some Other CA');
    const t = {
      input: uniqueName('tls-in'),
      warehouse: uniqueName('tls-wh'),
      analytics: uniqueName('tls-an'),
      ads: uniqueName('tls-ads'),
      dlq: uniqueName('tls-dlq'),
    };
    for (const consumer of ['kafkajs', 'platformatic'] as const) {
      const file = join(dir, `wrong-ca-${consumer}.yaml`);
      writeFileSync(file, engineYaml(t, `  brokers: "${broker.brokers}"\n  ssl: { caFile: "${other.certFile}" }\n  consumer: ${consumer}`));
      const started = Date.now();
      const error = await startKafkaEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), env: {} }).then(
        (engine) => {
          engines.push(engine);
          return new Error('the engine started');
        },
        (err: Error) => err,
      );
      expect(error.message).toContain(broker.brokers);
      expect(error.message).toMatch(/TLS handshake .* failed: .*(self-signed|unable to verify|unable to get local issuer)/i);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });

  it('segmentloom doctor reports both listeners as TLS 1.3 with the certificate verified, and a wrong CA as failed', async () => {
    requireBuild();
    const { scram } = broker;
    const good = join(dir, 'doctor-good.yaml');
    writeFileSync(
      good,
      `source: web\nkafka:\n  brokers: "${broker.brokers},${broker.saslBrokers}"\n  topics: [in]\n  ssl: { caFile: "${broker.caFile}" }\n  sasl: { mechanism: scram-sha-512, username: ${scram!.username}, password: "${scram!.password}" }\n`,
    );
    const ok = await segmentloomAsync(['doctor', '--config', good]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    for (const endpoint of [broker.brokers, broker.saslBrokers!]) {
      expect(ok.stdout).toMatch(
        new RegExp(`OK +Kafka broker +${endpoint.replace(/\./g, '\\.')} +TLSv1\\.3 .*certificate verified, SASL scram-sha-512 user ${scram!.username}`),
      );
    }
    expect(ok.stdout).not.toContain(scram!.password);

    const other = createCa(join(dir, 'doctor-other-ca'), 'Doctor Other CA');
    const bad = join(dir, 'doctor-bad.yaml');
    writeFileSync(bad, `source: web\nkafka:\n  brokers: "${broker.brokers}"\n  topics: [in]\n  ssl: { caFile: "${other.certFile}" }\n`);
    const refused = await segmentloomAsync(['doctor', '--config', bad]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(
      new RegExp(
        `FAIL +Kafka broker +${broker.brokers.replace(/\./g, '\\.')} .*TLS refused: TLS handshake with ${broker.brokers.replace(/\./g, '\\.')} failed: .*certificate`,
      ),
    );

    const unverified = join(dir, 'doctor-unverified.yaml');
    writeFileSync(unverified, `source: web\nkafka:\n  brokers: "${broker.brokers}"\n  topics: [in]\n  ssl: { rejectUnauthorized: false }\n`);
    const warned = await segmentloomAsync(['doctor', '--config', unverified]);
    expect(warned.status).toBe(4);
    expect(warned.stderr).toContain(`WARNING: Kafka broker at ${broker.brokers} is encrypted but its certificate is NOT VERIFIED`);
  }, 60_000);
});

function negotiate(endpoint: string, options: ConnectionOptions): Promise<string> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ ...options, host, port: Number(port) });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'none';
      socket.destroy();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}
