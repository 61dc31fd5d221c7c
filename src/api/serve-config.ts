import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { AlertsConfigError, parseAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { substituteEnv, type Environment } from '../core/env.js';
import { ConfigError } from '../config/errors.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../detect/index.js';

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
  return {
    file: path,
    classifierDirs: (classifiers as string[]).map((d) => (d === 'builtin' ? BUILTIN_CLASSIFIERS_DIR.replace(/\/$/, '') : at(d))),
    policyFile: policyFile === null ? null : at(policyFile as string),
    alerts,
  };
}
