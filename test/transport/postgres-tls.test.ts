// PostgreSQL over TLS with sslmode=verify-full, against a cluster of this test's own (initdb,
// ssl=on, a certificate for the IP 127.0.0.1 signed by a CA made for the run, pg_hba refusing
// every non-TLS connection): the engine stores events through it and the CLI reads them back; a
// certificate that does not match the host, or that another CA signed, is refused with a clear error.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClusterAvailable, startPgCluster, type PgCluster } from '../../scripts/pg-cluster.js';
import { createCa, createServerCert, type TestCa } from '../../scripts/test-certs.js';
import { loadEngineConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { requireBuild, segmentloomAsync } from '../cli/helpers.js';
import { testKeys } from '../integration/helpers.js';
import { policyYaml, sampleEvent, tempDir } from '../pipeline/helpers.js';

describe.skipIf(!pgClusterAvailable())('PostgreSQL over TLS (sslmode=verify-full)', () => {
  const dir = tempDir('sl-pg-tls-');
  let ca: TestCa;
  let cluster: PgCluster;
  const keys = testKeys();

  beforeAll(async () => {
    requireBuild();
    ca = createCa(join(dir, 'ca'), 'Segmentloom PG Test CA');
    // An IP SAN only: a client that dials "localhost" is talking to a host the certificate does not name.
    cluster = await startPgCluster({ tls: createServerCert(ca, { name: 'postgres', ips: ['127.0.0.1'], dns: [] }) });
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  const verifyFull = (host = '127.0.0.1', caFile = () => ca.certFile) =>
    `postgres://postgres@${host}:${cluster.port}/postgres?sslmode=verify-full&sslrootcert=${caFile()}`;

  async function runEngine(url: string, schema: string, messageIds: string[]) {
    const file = join(dir, `${schema}.yaml`);
    writeFileSync(
      file,
      `source: web
${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}
storage:
  databaseUrl: "${url}"
  schema: ${schema}
  masterKeys: "${keys.masterKeys}"
  lookupKey: "${keys.lookupKey}"
inventory: { flushIntervalMs: 100 }
`,
    );
    const input = join(dir, `${schema}.ndjson`);
    writeFileSync(input, `${messageIds.map((id) => JSON.stringify(sampleEvent({ messageId: id, userId: `user-${id}` }))).join('\n')}\n`);
    return runFileEngine(await loadEngineConfig(file, {}), { logger: silentLogger(), input, outDir: join(dir, `${schema}-out`), env: {} });
  }

  it('refuses plain-text connections outright (the server is TLS-only)', async () => {
    const client = new pg.Client({ connectionString: cluster.url('postgres', 'sslmode=disable') });
    await expect(client.connect()).rejects.toThrow(/no encryption/);
  });

  it("stores the engine's events over a verified TLS connection", async () => {
    const result = await runEngine(verifyFull(), 'engine_tls', ['a', 'b', 'c']);
    expect(result.totals.totals.stored).toBe(3);
    const client = new pg.Client({ connectionString: verifyFull() });
    await client.connect();
    try {
      const [{ count }] = (await client.query('SELECT count(*)::int AS count FROM engine_tls.events')).rows;
      expect(count).toBe(3);
      const [ssl] = (await client.query('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows;
      expect(ssl.ssl).toBe(true);
      expect(['TLSv1.2', 'TLSv1.3']).toContain(ssl.version);
    } finally {
      await client.end();
    }
  }, 60_000);

  it('lets the CLI create a store and read the inventory over verify-full', async () => {
    const init = await segmentloomAsync(['init', '--database-url', verifyFull(), '--schema', 'cli_tls']);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const list = await segmentloomAsync(['inventory', 'list', '--database-url', verifyFull(), '--schema', 'engine_tls']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/email/);
  });

  it('refuses a certificate that does not name the host dialled, in the engine and the CLI', async () => {
    const url = verifyFull('localhost');
    await expect(runEngine(url, 'engine_mismatch', ['x'])).rejects.toThrow(/does not match certificate's altnames/);
    const cli = await segmentloomAsync(['init', '--database-url', url, '--schema', 'cli_mismatch']);
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toMatch(/Hostname\/IP does not match certificate's altnames: Host: localhost/);
  }, 60_000);

  it('refuses a server certificate signed by a CA the client was not given', async () => {
    const other = createCa(join(dir, 'other'), 'Unrelated CA');
    const url = verifyFull('127.0.0.1', () => other.certFile);
    await expect(runEngine(url, 'engine_wrong_ca', ['x'])).rejects.toThrow(/self-signed certificate|unable to verify|unable to get local issuer/);
    const cli = await segmentloomAsync(['init', '--database-url', url, '--schema', 'cli_wrong_ca']);
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toMatch(/self-signed certificate|unable to verify|unable to get local issuer/);
  }, 60_000);
});
