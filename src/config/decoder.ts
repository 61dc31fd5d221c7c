import type { EngineConfig } from './load.js';
import { createConfluentDecoder } from '../events/index.js';
import { jsonDecoder, type EventDecoder } from '../events/index.js';

/** The decoder a config asks for (`decoding.format`). */
export function decoderFor(config: EngineConfig): EventDecoder {
  if (config.decoding.format === 'json') return jsonDecoder;
  return createConfluentDecoder({ registryUrl: config.decoding.registryUrl!, auth: config.decoding.registryAuth, clientId: config.kafka?.clientId });
}
