import { ConfigError } from './errors.js';
import type { EngineConfig } from './load.js';

/**
 * The keys config/embedded.yaml falls back to so `npm start` works out of the box. They are public
 * (in this repository): data stored under them is readable by anyone, and pseudonyms made with
 * them can be reversed by anyone with a list of candidate values. So they are allowed only for the
 * embedded demo (files in, embedded PGlite store), with a loud warning; anywhere else the engine
 * refuses to start.
 */
const EMBEDDED_DEMO = {
  masterKey: 'c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA=',
  lookupKey: 'c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE=',
  hashKey: 'demo-only-key-change-me-0123456789',
};
/** config/segmentloom.docker.yaml's hashing fallback: a demo too, warned about wherever it runs. */
const DOCKER_DEMO_HASH_KEY = 'docker-demo-key-change-me-0123456789';

export interface DemoKeyUse {
  /** Config fields holding a public demo key. */
  fields: string[];
  /** Only the docker demo's hashing key: warned about, never refused. */
  dockerOnly: boolean;
}

/** Which fields of `config` hold a public demo key (none: `fields` is empty). */
export function demoKeysIn(config: EngineConfig): DemoKeyUse {
  const fields: string[] = [];
  let embedded = false;
  const storage = config.storage;
  if (storage?.masterKeys?.split(/[\s,]+/).some((entry) => entry.slice(entry.indexOf(':') + 1) === EMBEDDED_DEMO.masterKey)) {
    fields.push('storage.masterKeys');
    embedded = true;
  }
  if (storage?.lookupKey === EMBEDDED_DEMO.lookupKey) {
    fields.push('storage.lookupKey');
    embedded = true;
  }
  config.policy.hashing?.keys.forEach((key, i) => {
    if (key.secret === EMBEDDED_DEMO.hashKey || key.secret === DOCKER_DEMO_HASH_KEY) fields.push(`hashing.keys[${i}].secret`);
    if (key.secret === EMBEDDED_DEMO.hashKey) embedded = true;
  });
  return { fields, dockerOnly: fields.length > 0 && !embedded };
}

/**
 * Before an engine starts: refuses the embedded demo keys outside the embedded demo (`embeddedDemo`:
 * file mode with the embedded PGlite store) and warns, loudly, where they are allowed.
 */
export function checkDemoKeys(config: EngineConfig, embeddedDemo: boolean, warn: (message: string) => void): void {
  const use = demoKeysIn(config);
  if (use.fields.length === 0) return;
  const which = use.fields.join(', ');
  if (!embeddedDemo && !use.dockerOnly) {
    throw new ConfigError(
      `${config.file}: ${use.fields[0]}: the public demo keys of config/embedded.yaml (${which}) are only for the embedded demo (files in, embedded store); set SEGMENTLOOM_MASTER_KEYS, SEGMENTLOOM_LOOKUP_KEY and SEGMENTLOOM_HASH_KEY`,
      config.file,
      use.fields[0],
    );
  }
  warn(
    `WARNING: ${which} use PUBLIC DEMO KEYS from this repository: anything stored is readable and every pseudonym reversible by anyone. Demo only; set SEGMENTLOOM_MASTER_KEYS, SEGMENTLOOM_LOOKUP_KEY and SEGMENTLOOM_HASH_KEY for real data.`,
  );
}
