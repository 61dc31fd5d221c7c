// `segmentloom doctor` through the real binary, against real servers: a TLS-only PostgreSQL
// cluster (verify-full), HTTPS alert receivers (private CA, self-signed), and plain-text ones (the
// machine's PostgreSQL, an http:// receiver, the plain Kafka broker of the test run). It reports
// per endpoint whether it is encrypted and with which TLS version, warns loudly about plain text,
// and its exit status tells "all encrypted" (0), "something failed" (1) and "plain text" (4) apart.
// The TLS Kafka broker's report is checked in test/transport/kafka-tls.e2e.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pgClusterAvailable, startPgCluster, type PgCluster } from '../../scripts/pg-cluster.js';
import { createCa, createSelfSignedCert, createServerCert, type TestCa } from '../../scripts/test-certs.js';
import { startReceiver, type Receiver } from '../alerts/helpers.js';
import { testKeys } from '../integration/helpers.js';
import { tempDir } from '../pipeline/helpers.js';
import { requireBuild, segmentloomAsync } from './helpers.js';

const SECRET = 'whsec_test_0123456789abcdef';

describe.skipIf(!pgClusterAvailable())('segmentloom doctor', () => {
  const dir = tempDir('sl-doctor-');
  const keys = testKeys();
  let ca: TestCa;
  let cluster: PgCluster;
  let httpsReceiver: Receiver;
  let selfSignedReceiver: Receiver;
  let plainReceiver: Receiver;

  beforeAll(async () => {
    requireBuild();
    ca = createCa(join(dir, 'ca'), 'Doctor Test CA');
    cluster = await startPgCluster({ tls: createServerCert(ca, { name: 'postgres', ips: ['127.0.0.1'], dns: [] }) });
    httpsReceiver = await startReceiver(() => ({ status: 204 }), { tls: createServerCert(ca, { name: 'receiver', ips: ['127.0.0.1'], dns: [] }) });
    selfSignedReceiver = await startReceiver(() => ({ status: 204 }), {
      tls: createSelfSignedCert(join(dir, 'self'), { name: 'self', ips: ['127.0.0.1'], dns: [] }),
    });
    plainReceiver = await startReceiver(() => ({ status: 204 }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([httpsReceiver?.close(), selfSignedReceiver?.close(), plainReceiver?.close()]);
    await cluster?.destroy();
  });

  const tlsDb = (host = '127.0.0.1') => `postgres://postgres@${host}:${cluster.port}/postgres?sslmode=verify-full&sslrootcert=${ca.certFile}`;

  function config(name: string, { databaseUrl, channels, kafka = '' }: { databaseUrl: string; channels: string[]; kafka?: string }): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `source: web
${kafka}
storage:
  databaseUrl: "${databaseUrl}"
  masterKeys: "${keys.masterKeys}"
  lookupKey: "${keys.lookupKey}"
inventory: { flushIntervalMs: 1000 }
alerts:
  baseUrl: https://segmentloom.example.com
  channels:
${channels.map((c) => `    - ${c}`).join('\n')}
`,
    );
    return file;
  }

  it('reports every endpoint encrypted with its TLS version, and exits 0', async () => {
    const file = config('encrypted', {
      databaseUrl: tlsDb(),
      channels: [`{ type: webhook, name: hook, url: "${httpsReceiver.url}", secret: ${SECRET}, caFile: "${ca.certFile}" }`],
    });
    const result = await segmentloomAsync(['doctor', '--config', file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`OK +PostgreSQL store +127\\.0\\.0\\.1:${cluster.port}/postgres +TLSv1\\.3 .*certificate verified`));
    expect(result.stdout).toMatch(/OK +alert channel "hook" \(webhook\) +https:\/\/127\.0\.0\.1:\d+\/hook +TLSv1\.3 .*verified against caFile/);
    // Never the connection string's credentials or query.
    expect(result.stdout).not.toContain('sslrootcert');
    // Nothing was posted: the doctor only shakes hands.
    expect(httpsReceiver.requests).toHaveLength(0);
  });

  it('warns loudly about every plain-text endpoint and exits 4', async () => {
    const brokers = inject('kafkaBrokers') ?? process.env.KAFKA_BROKERS;
    const plainDb = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const file = config('plain', {
      databaseUrl: plainDb,
      channels: [
        `{ type: slack, name: team, url: "${plainReceiver.url}" }`,
        `{ type: webhook, name: hook, url: "${httpsReceiver.url}", secret: ${SECRET}, caFile: "${ca.certFile}" }`,
      ],
      kafka: brokers ? `kafka: { brokers: "${brokers}", topics: [in] }` : '',
    });
    const result = await segmentloomAsync(['doctor', '--config', file]);
    expect(result.status).toBe(4);
    expect(result.stdout).toMatch(/WARN +PostgreSQL store +.* none +PLAIN TEXT/);
    expect(result.stdout).toMatch(/WARN +alert channel "team" \(slack\) +http:\/\/127\.0\.0\.1:\d+\/hook +none +PLAIN TEXT/);
    expect(result.stdout).toMatch(/OK +alert channel "hook"/);
    expect(result.stderr).toMatch(/^WARNING: PostgreSQL store at .* is PLAIN TEXT \(not encrypted\)$/m);
    expect(result.stderr).toMatch(/^WARNING: alert channel "team" \(slack\) at .* is PLAIN TEXT/m);
    const exposed = brokers ? 3 : 2;
    if (brokers) expect(result.stderr).toContain(`WARNING: Kafka broker at ${brokers.split(',')[0]} is PLAIN TEXT`);
    expect(result.stderr).toContain(`WARNING: ${exposed} endpoint(s) expose data in transit`);

    const json = await segmentloomAsync(['doctor', '--config', file, '--json']);
    expect(json.status).toBe(4);
    const doc = JSON.parse(json.stdout) as { endpoints: Array<{ kind: string; status: string; protocol?: string }>; plainText: number; exitCode: number };
    expect(doc.plainText).toBe(exposed);
    expect(
      doc.endpoints
        .filter((e) => e.status === 'plain')
        .map((e) => e.kind)
        .sort(),
    ).toEqual([...(brokers ? ['kafka'] : []), 'alerts', 'postgres'].sort());
    expect(doc.endpoints.find((e) => e.kind === 'alerts' && e.status === 'tls')?.protocol).toBe('TLSv1.3');
  });

  it('fails (exit 1) on a certificate it cannot verify or that names another host, and says why', async () => {
    const file = config('refused', {
      databaseUrl: tlsDb('localhost'),
      channels: [`{ type: webhook, name: self, url: "${selfSignedReceiver.url}", secret: ${SECRET} }`],
    });
    const result = await segmentloomAsync(['doctor', '--config', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL +PostgreSQL store +localhost:\d+\/postgres .*does not match certificate's altnames/);
    expect(result.stdout).toMatch(
      /FAIL +alert channel "self" .*TLS refused: TLS handshake with 127\.0\.0\.1:\d+ failed: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
    expect(result.stderr).toContain('segmentloom doctor: 2 endpoint(s) failed');
  });

  it('checks a running API given with --api: TLS with its CA, plain text warned', async () => {
    const file = config('api', {
      databaseUrl: tlsDb(),
      channels: [`{ type: webhook, name: hook, url: "${httpsReceiver.url}", secret: ${SECRET}, caFile: "${ca.certFile}" }`],
    });
    const secure = await segmentloomAsync(['doctor', '--config', file, '--api', httpsReceiver.url.replace('/hook', ''), '--api-ca', ca.certFile]);
    expect(secure.status).toBe(0);
    expect(secure.stdout).toMatch(/OK +control-plane API +https:\/\/127\.0\.0\.1:\d+ +TLSv1\.3/);
    const plain = await segmentloomAsync(['doctor', '--config', file, '--api', plainReceiver.url.replace('/hook', '')]);
    expect(plain.status).toBe(4);
    expect(plain.stderr).toMatch(/WARNING: control-plane API at http:\/\/127\.0\.0\.1:\d+ is PLAIN TEXT/);
  });

  it('documents its exit statuses and rejects a missing --config', async () => {
    const help = await segmentloomAsync(['doctor', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Exit status:\n {2}0 .*\n {2}1 .*\n[\s\S]*\n {2}4 {3}every endpoint answered, but at least one is PLAIN TEXT/);
    const missing = await segmentloomAsync(['doctor']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--config FILE is required');
  });
});
