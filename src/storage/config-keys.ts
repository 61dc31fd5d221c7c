import { ConfigError } from '../config/errors.js';
import { KeyConfigError, Keyring, secretFromEnv } from './crypto/master-keys.js';
import { SubjectHasher } from './crypto/lookup.js';

/**
 * The master keys and lookup key of a config's `storage` section, each falling back to the
 * environment (SEGMENTLOOM_MASTER_KEYS[_FILE], SEGMENTLOOM_LOOKUP_KEY[_FILE]) when the section
 * leaves it out. One rule for the engine and every CLI command given `--config`, so both open the
 * store with the same keys. A bad or missing key is a ConfigError naming the file and field, never
 * the key.
 */
export function storageKeys(
  storage: { masterKeys?: string | undefined; lookupKey?: string | undefined },
  file: string,
  env: NodeJS.ProcessEnv,
): { keyring: Keyring; hasher: SubjectHasher; lookupKey: string } {
  const fail = (field: string, err: unknown): never => {
    const why = err instanceof KeyConfigError ? err.message : 'unusable value';
    throw new ConfigError(`${file}: ${field}: ${why}`, file, field);
  };
  let keyring: Keyring;
  try {
    keyring = storage.masterKeys !== undefined ? Keyring.parse(storage.masterKeys) : Keyring.fromEnv(env);
  } catch (err) {
    return fail('storage.masterKeys', err);
  }
  try {
    const lookupKey = storage.lookupKey ?? secretFromEnv(env, 'SEGMENTLOOM_LOOKUP_KEY');
    if (lookupKey === undefined) throw new KeyConfigError('no lookup key: set it here, or SEGMENTLOOM_LOOKUP_KEY or SEGMENTLOOM_LOOKUP_KEY_FILE');
    return { keyring, hasher: new SubjectHasher(Buffer.from(lookupKey, 'base64')), lookupKey };
  } catch (err) {
    return fail('storage.lookupKey', err);
  }
}
