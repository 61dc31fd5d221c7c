import type { EngineConfig } from '../config/load.js';
import type { Environment } from '../core/env.js';
import { ConfigError } from '../config/errors.js';
import type { Logger } from '../core/logger.js';
import { KeyConfigError, Keyring, secretFromEnv } from '../storage/crypto/master-keys.js';
import { DeadLetterSealer } from './dead-letter-seal.js';

/**
 * The master keyring that seals dead letters: `deadLetter.masterKeys`, else `storage.masterKeys`,
 * else SEGMENTLOOM_MASTER_KEYS[_FILE]; null when none is configured.
 */
export function deadLetterKeyring(config: EngineConfig, env: Environment): Keyring | null {
  const field =
    config.deadLetter.masterKeys !== undefined
      ? 'deadLetter.masterKeys'
      : config.storage?.masterKeys !== undefined
        ? 'storage.masterKeys'
        : 'SEGMENTLOOM_MASTER_KEYS';
  const spec = config.deadLetter.masterKeys ?? config.storage?.masterKeys ?? secretFromEnvSafe(env);
  if (spec === undefined) return null;
  try {
    return Keyring.parse(spec);
  } catch (err) {
    // KeyConfigError messages name the problem, never a key.
    throw new ConfigError(`${config.file}: ${field}: ${err instanceof KeyConfigError ? err.message : 'unusable value'}`, config.file, field);
  }
}

function secretFromEnvSafe(env: Environment): string | undefined {
  try {
    return secretFromEnv(env as NodeJS.ProcessEnv, 'SEGMENTLOOM_MASTER_KEYS');
  } catch (err) {
    throw new ConfigError(`SEGMENTLOOM_MASTER_KEYS_FILE: ${(err as Error).message}`);
  }
}

/** The sealer for this engine's dead letters, or undefined (clear records) when `encrypt` allows it. */
export function deadLetterSealerFor(config: EngineConfig, env: Environment, logger: Logger): DeadLetterSealer | undefined {
  const mode = config.deadLetter.encrypt;
  if (mode === 'off') {
    logger.warn(
      { deadLetter: { encrypt: 'off' } },
      'dead-letter records are written in clear (deadLetter.encrypt: off): they hold raw events, personal data included',
    );
    return undefined;
  }
  const keyring = deadLetterKeyring(config, env);
  if (keyring === null) {
    if (mode === 'required') {
      throw new ConfigError(
        `${config.file}: deadLetter.encrypt: required, but no master key: set deadLetter.masterKeys, storage.masterKeys or SEGMENTLOOM_MASTER_KEYS`,
        config.file,
        'deadLetter.encrypt',
      );
    }
    logger.warn(
      { deadLetter: { encrypt: 'auto', masterKey: false } },
      'no master key: dead-letter records are written in clear; they hold raw events, personal data included (set SEGMENTLOOM_MASTER_KEYS, or deadLetter.encrypt: required)',
    );
    return undefined;
  }
  return new DeadLetterSealer(keyring);
}
