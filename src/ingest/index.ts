/**
 * Segment's HTTP Tracking API in front of the pipeline: the stock tracking clients send here as
 * they are. See README "HTTP ingest".
 *
 *   const ingest = await startIngest({ config: parseIngestConfig(raw.ingest), sink: await kafkaIngestSink(kafka), writeKeys: new WriteKeyStore(db), logger });
 */
export { buildIngest, type Ingest, type IngestOptions } from './app.js';
export { startIngest, kafkaIngestSink, ingestTls, type RunningIngest } from './server.js';
export { parseIngestConfig, ingestConfigSchema, IngestConfigError, type IngestConfig, type IngestSourceConfig } from '../config/ingest-schema.js';
export { WriteKeyStore, WRITE_KEY_PREFIX, type WriteKey, type IssuedWriteKey, type WriteKeyPrincipal } from './write-keys.js';
export { MESSAGE_TYPES, MAX_MESSAGE_ID, type MessageType } from './messages.js';
