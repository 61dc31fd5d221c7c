// Certificates made for one run (a throwaway CA and the server certificates it signs), with the
// openssl CLI: the TLS Kafka broker, the TLS PostgreSQL cluster and the HTTPS alert receivers of the
// tests use them. Nothing here is a secret worth keeping: keys live in a temp dir removed with it.
// Plain Node ESM, built-ins only.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @typedef {{ name: string; certFile: string; keyFile: string; dir: string }} TestCa */
/** @typedef {{ certFile: string; keyFile: string; p12File?: string }} ServerCert */

/** @param {string[]} args @param {string} what */
function openssl(args, what) {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`openssl ${what} failed (exit ${result.status}): ${(result.stderr ?? '').slice(0, 2000)}`);
  return result.stdout;
}

/**
 * A self-signed CA: { name, certFile, keyFile, dir }.
 * @param {string} dir
 * @returns {TestCa}
 */
export function createCa(dir, name = 'Segmentloom Test CA') {
  mkdirSync(dir, { recursive: true });
  const slug = name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  const keyFile = join(dir, `${slug}.key`);
  const certFile = join(dir, `${slug}.crt`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile], 'CA key');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      certFile,
    ],
    'CA certificate',
  );
  return { name, certFile, keyFile, dir };
}

/**
 * A server certificate signed by `ca` for the given IPs and DNS names (subjectAltName; clients
 * verify against those, not the CN). Options: pkcs12Password also writes `<name>.p12` (key + chain)
 * for the JVM. Returns { certFile, keyFile, p12File? }.
 * @param {TestCa} ca
 * @param {{ name: string; ips?: string[]; dns?: string[]; pkcs12Password?: string }} opts
 * @returns {ServerCert}
 */
export function createServerCert(ca, { name, ips = ['127.0.0.1'], dns = ['localhost'], pkcs12Password }) {
  const { dir } = ca;
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  const san = [...ips.map((ip) => `IP:${ip}`), ...dns.map((d) => `DNS:${d}`)].join(',');
  writeFileSync(
    extFile,
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile], `${name} key`);
  chmodSync(keyFile, 0o600);
  openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${dns[0] ?? ips[0] ?? name}`, '-out', csrFile], `${name} request`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      certFile,
    ],
    `${name} certificate`,
  );
  /** @type {ServerCert} */
  const result = { certFile, keyFile };
  if (pkcs12Password !== undefined) {
    const p12File = join(dir, `${name}.p12`);
    openssl(
      ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-certfile', ca.certFile, '-name', name, '-passout', `pass:${pkcs12Password}`, '-out', p12File],
      `${name} PKCS12`,
    );
    result.p12File = p12File;
  }
  return result;
}

/**
 * A PKCS12 truststore holding the CA certificate (keytool: the JVM reads it as trusted entries).
 * @param {TestCa} ca
 * @param {string} password
 */
export function createTruststore(ca, password) {
  const file = join(ca.dir, 'truststore.p12');
  const result = spawnSync(
    'keytool',
    ['-importcert', '-noprompt', '-alias', 'ca', '-file', ca.certFile, '-keystore', file, '-storetype', 'PKCS12', '-storepass', password],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`keytool truststore failed (exit ${result.status}): ${(result.stderr + result.stdout).slice(0, 2000)}`);
  return file;
}

/**
 * A self-signed server certificate (its own issuer, no CA behind it): { certFile, keyFile }.
 * @param {string} dir
 * @param {{ name: string; ips?: string[]; dns?: string[] }} opts
 * @returns {ServerCert}
 */
export function createSelfSignedCert(dir, { name, ips = ['127.0.0.1'], dns = ['localhost'] }) {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  const san = [...ips.map((ip) => `IP:${ip}`), ...dns.map((d) => `DNS:${d}`)].join(',');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
      '-out',
      certFile,
    ],
    `${name} self-signed certificate`,
  );
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}
