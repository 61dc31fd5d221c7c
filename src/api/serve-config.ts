import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { AlertsConfigError, parseAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { substituteEnv, type Environment } from '../core/env.js';
import { ConfigError } from '../config/errors.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../detect/index.js';
import { storageSchema } from '../config/durable-schema.js';

/**
 * What `segmentloom serve` needs from the engine config the engines run with: the classifier
 * directories and policy file they watch (the API writes there), and the `alerts:` channels. Only
 * these sections are read, so the API does not need the engines' Kafka credentials in its env.
 * `${ENV}` references in them are resolved once, by the engine's resolver (`substituteEnv`).
 */
export interface ServeConfig {
  file: string;
  classifierDirs: string[];
  policyFile: string | null;
  alerts: AlertsConfig | null;
  /** The storage section (store location and keys), as the engine reads it; null when absent. */
  storage: ServeStorage | null;
}

export interface ServeStorage {
  databaseUrl: string | undefined;
  /** Absolute (relative to the config file), as the engine resolves it. */
  dataDir: string | undefined;
  schema: string | undefined;
  masterKeys: string | undefined;
  lookupKey: string | undefined;
}

export async function loadServeConfig(file: string, env: Environment = process.env): Promise<ServeConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, path);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(`${path}: invalid YAML (${doc.errors[0]!.code})`, path);
  const raw = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path}: (root): expected a YAML mapping`, path, '(root)');
  const base = dirname(path);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));

  const classifiers = substituteEnv(raw.classifiers ?? ['builtin'], env, path, ['classifiers']);
  if (!Array.isArray(classifiers) || classifiers.some((d) => typeof d !== 'string' || d.trim() === '')) {
    throw new ConfigError(`${path}: classifiers: expected a list of directories (or builtin)`, path, 'classifiers');
  }
  const policyFile = substituteEnv(raw.policyFile ?? null, env, path, ['policyFile']);
  if (policyFile !== null && (typeof policyFile !== 'string' || policyFile.trim() === '')) {
    throw new ConfigError(`${path}: policyFile: expected a file path`, path, 'policyFile');
  }
  let alerts: AlertsConfig | null = null;
  if (raw.alerts !== undefined && raw.alerts !== null) {
    try {
      alerts = parseAlertsConfig(raw.alerts, env);
    } catch (err) {
      // The same `file: field: problem` lines the engine's loader gives for this section.
      if (err instanceof AlertsConfigError) throw err.inFile(path);
      throw err;
    }
  }
  let storage: ServeStorage | null = null;
  if (raw.storage !== undefined && raw.storage !== null) {
    const parsed = storageSchema.safeParse(substituteEnv(raw.storage, env, path, ['storage']));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ['storage', ...issue.path.map(String)].join('.');
      throw new ConfigError(`${path}: ${field}: ${issue.message}`, path, field);
    }
    const s = parsed.data;
    storage = {
      databaseUrl: s.databaseUrl,
      dataDir: s.dataDir === undefined ? undefined : at(s.dataDir),
      schema: s.schema,
      masterKeys: s.masterKeys,
      lookupKey: s.lookupKey,
    };
  }
  return {
    file: path,
    storage,
    classifierDirs: (classifiers as string[]).map((d) => (d === 'builtin' ? BUILTIN_CLASSIFIERS_DIR.replace(/\/$/, '') : at(d))),
    policyFile: policyFile === null ? null : at(policyFile as string),
    alerts,
  };
}
