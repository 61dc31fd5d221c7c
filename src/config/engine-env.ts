import { ConfigError, formatField } from './errors.js';

/**
 * `${NAME}` and `${NAME:-fallback}` references in string values of a parsed config, resolved from
 * the environment. Substitution happens after YAML parsing, on scalars only, so a variable's
 * content can never change the document's structure (no YAML injection through the environment).
 * `$${` stands for a literal `${`.
 */
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type Environment = Record<string, string | undefined>;

export function substituteEnv(value: unknown, env: Environment, file: string, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return substituteString(value, env, file, path);
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, file, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // `__proto__` as a key would replace the prototype: a field schemas then read but checks of
      // own fields (literal secrets, redaction) never see.
      if (RESERVED_KEYS.has(key)) throw new ConfigError(`${file}: ${formatField([...path, key])}: reserved key`, file, formatField([...path, key]));
      out[key] = substituteEnv(item, env, file, [...path, key]);
    }
    return out;
  }
  return value;
}

function substituteString(text: string, env: Environment, file: string, path: (string | number)[]): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole, escape: string, name: string, fallback: string | undefined) => {
    if (escape === '$') return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    const field = formatField(path);
    // The message names the variable, never a value: config values may be secrets.
    throw new ConfigError(`${file}: ${field}: environment variable ${name} is not set (use \${${name}:-default} for a fallback)`, file, field);
  });
}
