import { readFileSync } from 'node:fs';
import { SegmentloomError } from '../../core/errors.js';

/** One version of the master key (key-encryption key). Never stored in the database. */
export interface MasterKey {
  version: number;
  key: Buffer;
}

export class KeyConfigError extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_KEY_CONFIG', message);
    this.name = 'KeyConfigError';
  }
}

/**
 * The master key versions this process knows. The newest (highest version) wraps new data keys;
 * every version unwraps, so a rotation is online: old wrappings keep working until re-wrapped.
 */
export class Keyring {
  private readonly byVersion: Map<number, Buffer>;
  readonly current: MasterKey;

  constructor(keys: readonly MasterKey[]) {
    if (keys.length === 0) throw new KeyConfigError('master keyring is empty');
    this.byVersion = new Map();
    for (const { version, key } of keys) {
      if (!Number.isInteger(version) || version < 1) throw new KeyConfigError('master key versions must be positive integers');
      if (key.length !== 32) throw new KeyConfigError(`master key version ${version} must be 32 bytes`);
      if (this.byVersion.has(version)) throw new KeyConfigError(`master key version ${version} is listed twice`);
      this.byVersion.set(version, key);
    }
    const newest = Math.max(...this.byVersion.keys());
    this.current = { version: newest, key: this.byVersion.get(newest)! };
  }

  get versions(): number[] {
    return [...this.byVersion.keys()].sort((a, b) => a - b);
  }

  get(version: number): Buffer {
    const key = this.byVersion.get(version);
    if (key === undefined) throw new KeyConfigError(`master key version ${version} is not in the keyring`);
    return key;
  }

  has(version: number): boolean {
    return this.byVersion.has(version);
  }

  /** Parses `version:base64key` entries separated by commas or newlines. */
  static parse(spec: string): Keyring {
    const keys: MasterKey[] = [];
    for (const entry of spec
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter((s) => s !== '' && !s.startsWith('#'))) {
      const colon = entry.indexOf(':');
      const version = Number(entry.slice(0, colon));
      if (colon < 1 || !Number.isInteger(version)) throw new KeyConfigError('master keys must look like "<version>:<base64 key>"');
      keys.push({ version, key: Buffer.from(entry.slice(colon + 1), 'base64') });
    }
    return new Keyring(keys);
  }

  /** Reads SEGMENTLOOM_MASTER_KEYS, else the file named by SEGMENTLOOM_MASTER_KEYS_FILE. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
    const spec = secretFromEnv(env, 'SEGMENTLOOM_MASTER_KEYS');
    if (spec === undefined) throw new KeyConfigError('no master key: set SEGMENTLOOM_MASTER_KEYS or SEGMENTLOOM_MASTER_KEYS_FILE');
    return Keyring.parse(spec);
  }
}

/** A secret from `NAME`, else from the file named by `NAME_FILE` (for mounted secrets). */
export function secretFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const inline = env[name];
  if (inline !== undefined && inline.trim() !== '') return inline.trim();
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new KeyConfigError(`cannot read ${name}_FILE`);
  }
}
