// With a certificate configured the ingest is HTTPS and speaks TLS 1.2 and 1.3 only.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type SecureVersion, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSelfSignedCert } from '../../scripts/test-certs.js';
import { describeKafka } from '../helpers/kafka.js';
import { tempDir } from '../pipeline/helpers.js';
import { startTestIngest, type TestIngest } from './helpers.js';

function handshake(port: number, version: SecureVersion, ca: Buffer): Promise<{ protocol: string | null } | { error: string }> {
  return new Promise((resolve) => {
    // SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all, so a refusal is the server's doing.
    const socket: TLSSocket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' },
      () => {
        resolve({ protocol: socket.getProtocol() });
        socket.end();
      },
    );
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describeKafka('ingest over TLS', () => {
  let s: TestIngest;
  let cert: Buffer;
  beforeAll(async () => {
    const tls = createSelfSignedCert(tempDir('sl-ingest-tls-'), { name: 'localhost' });
    cert = readFileSync(tls.certFile);
    s = await startTestIngest({ tls });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('accepts events over %s', async (version) => {
    expect(s.url).toMatch(/^https:/);
    expect(await handshake(s.ingest.port, version, cert)).toEqual({ protocol: version });
    const messageId = `tls-${version}`;
    const body = JSON.stringify({ userId: 'u', event: 'Secure', messageId });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.ingest.port,
          path: '/v1/track',
          method: 'POST',
          servername: 'localhost',
          ca: cert,
          minVersion: version,
          maxVersion: version,
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    await s.reader.waitFor(() => s.reader.json(s.topic).some((e) => e.messageId === messageId), 30_000, messageId);
  });

  it.each(['TLSv1', 'TLSv1.1'] as const)('refuses %s', async (version) => {
    const result = await handshake(s.ingest.port, version, cert);
    expect(result).toHaveProperty('error');
  });
});
