import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer, type SecureVersion, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCert } from '../../scripts/test-certs.js';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

/** A self-signed certificate for localhost, made for this run. */
function selfSigned(): { cert: Buffer; key: Buffer } {
  const { certFile, keyFile } = createSelfSignedCert(tempDir('sl-tls-'), { name: 'localhost' });
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** A handshake at exactly one protocol version; resolves with the negotiated protocol or the error code. */
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

describe('TLS', () => {
  let api: TestApi;
  let tls: { cert: Buffer; key: Buffer };
  beforeAll(async () => {
    tls = selfSigned();
    api = await startTestApi({ tls });
  });
  afterAll(() => api.close());

  it('serves HTTPS', () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('accepts %s and answers requests over it', async (version) => {
    expect(await handshake(api.api.port, version, tls.cert)).toEqual({ protocol: version });
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: api.api.port,
          path: '/inventory',
          servername: 'localhost',
          ca: tls.cert,
          minVersion: version,
          maxVersion: version,
          headers: { authorization: `Bearer ${api.owner}` },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ items: [] });
  });

  it.each(['TLSv1', 'TLSv1.1'] as const)('refuses %s', async (version) => {
    const result = await handshake(api.api.port, version, tls.cert);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toMatch(/ALERT_PROTOCOL_VERSION/);
  });

  it('the TLS 1.1 client itself works against a server that allows 1.1 (control)', async () => {
    const server = createServer({ ...tls, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      expect(await handshake(port, 'TLSv1.1', tls.cert)).toEqual({ protocol: 'TLSv1.1' });
    } finally {
      server.close();
    }
  });

  /** A TLS 1.2 handshake offering exactly one suite; resolves with the suite negotiated or the error code. */
  function suite(port: number, cipher: string): Promise<{ cipher: string } | { error: string }> {
    return new Promise((resolve) => {
      const socket: TLSSocket = connect(
        { host: '127.0.0.1', port, servername: 'localhost', ca: tls.cert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: `${cipher}@SECLEVEL=0` },
        () => {
          resolve({ cipher: socket.getCipher().name });
          socket.end();
        },
      );
      socket.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
  }

  it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'])(
    'TLS 1.2 takes the forward-secret AEAD suite %s',
    async (cipher) => {
      expect(await suite(api.api.port, cipher)).toEqual({ cipher });
    },
  );

  // Static RSA key exchange (no forward secrecy), CBC with SHA-1, ARIA, CCM8.
  it.each([
    'AES128-GCM-SHA256',
    'AES256-SHA',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA384',
    'ARIA128-GCM-SHA256',
    'ECDHE-ARIA128-GCM-SHA256',
    'AES128-CCM8',
  ])('TLS 1.2 refuses %s', async (cipher) => {
    expect(await suite(api.api.port, cipher)).toHaveProperty('error');
  });
});
