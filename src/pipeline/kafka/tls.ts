import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig } from '../../config/engine.js';

/** TLS options for a Kafka connection from the engine config (PEM files read once, at start). */
export function tlsOptions(ssl: KafkaConfig['ssl']): ConnectionOptions | undefined {
  if (ssl === false) return undefined;
  if (ssl === true) return {};
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.caFile ? { ca: [readFileSync(ssl.caFile, 'utf8')] } : {}),
    ...(ssl.certFile ? { cert: readFileSync(ssl.certFile, 'utf8') } : {}),
    ...(ssl.keyFile ? { key: readFileSync(ssl.keyFile, 'utf8') } : {}),
    ...(ssl.passphrase ? { passphrase: ssl.passphrase } : {}),
    ...(ssl.servername ? { servername: ssl.servername } : {}),
  };
}
