import { ConfigError, formatField } from '../config/errors.js';

/**
 * The one resolver of environment references in configuration: the engine config, the policy
 * file, the `alerts:` section (engine, `serve`, `alerts test`) and policies uploaded through the
 * API all go through `substituteEnv`, once, where the raw document is read. Schemas validate the
 * resolved values and never resolve again, so a resolved value that contains `${X}` or `$${` stays
 * literal.
 *
 * `${NAME}` and `${NAME:-fallback}` references in string values of a parsed config, resolved from
 * the environment. Substitution happens after YAML parsing, on scalars only, so a variable's
 * content can never change the document's structure (no YAML injection through the environment).
 * `$${` stands for a literal `${`. A variable set to the empty string counts as unset.
 */
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A reference that cannot be resolved (or a reserved key). `reason` is the problem without file or
 * field, for callers that report issues in their own shape; it names a variable, never a value.
 */
export class EnvReferenceError extends ConfigError {
  constructor(
    file: string,
    override readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}: ${field}: ${reason}`, file, field, { code: 'SLOOM_ERR_CONFIG_ENV', issues: [{ field, message: reason }] });
    this.name = 'EnvReferenceError';
  }
}

/**
 * Resolves every reference in `value` (strings, arrays, mappings). `file` and `path` (where
 * `value` sits in its document) name the failing field in errors.
 */
export function substituteEnv(value: unknown, env: Environment, file: string, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return substituteString(value, env, file, path);
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, file, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // `__proto__` as a key would replace the prototype: a field schemas then read but checks of
      // own fields (literal secrets, redaction) never see.
      if (RESERVED_KEYS.has(key)) throw new EnvReferenceError(file, formatField([...path, key]), 'reserved key');
      out[key] = substituteEnv(item, env, file, [...path, key]);
    }
    return out;
  }
  return value;
}

/** Whether `text` holds a reference `substituteEnv` would resolve (`$${…}` is an escape, not one). */
export function hasEnvReference(text: string): boolean {
  if (!text.includes('${')) return false;
  for (const match of text.matchAll(REFERENCE)) if (match[1] !== '$') return true;
  return false;
}

function substituteString(text: string, env: Environment, file: string, path: (string | number)[]): string {
  if (!text.includes('${')) return text;
  // One pass of `replace`: substituted text is never scanned again.
  return text.replace(REFERENCE, (whole, escape: string, name: string, fallback: string | undefined) => {
    if (escape === '$') return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    // The message names the variable, never a value: config values may be secrets.
    throw new EnvReferenceError(file, formatField(path), `environment variable ${name} is not set (use \${${name}:-default} for a fallback)`);
  });
}
