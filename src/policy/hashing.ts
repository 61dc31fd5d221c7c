import { SegmentloomError } from '../core/errors.js';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Leaf } from '../events/index.js';

/** Misuse of hashing (unknown key version, no keys). Never carries the value. */
export class PolicyHashError extends SegmentloomError {
  constructor(message: string) {
    super('SLOOM_ERR_POLICY_HASH', message);
    this.name = 'PolicyHashError';
  }
}

export interface HashingKeys {
  keys: ReadonlyArray<{ version: number; secret: string }>;
  current: number;
}

/**
 * Keyed pseudonyms. Output format: `hmac:v<version>:<digest>`, where digest is the unpadded
 * base64url HMAC-SHA256 of the value's text under that key version:
 *   - strings: their UTF-8 text;
 *   - numbers and booleans: their JSON text (`42`, `true`), so `42` and `"42"` get the same pseudonym;
 *   - null: left as null (no data to protect).
 * The version is part of the output so consumers know which key produced it and can re-key
 * (`pseudonymize(raw, oldVersion)`) when the current key rotates. Same input + same version gives
 * the same pseudonym, so joins across events and destinations keep working.
 */
export class Pseudonymizer {
  readonly current: number;
  private readonly keys = new Map<number, { key: KeyObject; prefix: string }>();

  constructor(config: HashingKeys) {
    // KeyObjects avoid re-importing the secret on every HMAC; the secret strings are not retained.
    for (const { version, secret } of config.keys) {
      this.keys.set(version, { key: createSecretKey(Buffer.from(secret, 'utf8')), prefix: `hmac:v${version}:` });
    }
    if (!this.keys.has(config.current)) throw new PolicyHashError(`no hashing key with version ${config.current}`);
    this.current = config.current;
  }

  /** The key versions available, newest first. */
  get versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => b - a);
  }

  /**
   * Pseudonym of `value` under key `version` (default: the current one). `null` has no
   * pseudonym: it carries no personal data and hashing it would make every null look alike.
   */
  pseudonymize(value: string | number | boolean, version?: number): string;
  pseudonymize(value: Leaf, version?: number): string | null;
  pseudonymize(value: Leaf, version: number = this.current): string | null {
    if (value === null) return null;
    const entry = this.keys.get(version);
    if (entry === undefined) throw new PolicyHashError(`no hashing key with version ${version}`);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return entry.prefix + createHmac('sha256', entry.key).update(text, 'utf8').digest('base64url');
  }
}

const PSEUDONYM = /^hmac:v(\d+):[A-Za-z0-9_-]{43}$/;

/** The key version a pseudonym was made with, or null when the text is not one of ours. */
export function pseudonymVersion(text: string): number | null {
  const match = PSEUDONYM.exec(text);
  return match ? Number(match[1]) : null;
}
