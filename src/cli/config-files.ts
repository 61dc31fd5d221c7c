import { createTwoFilesPatch } from 'diff';
import { readFile } from 'node:fs/promises';
import type { ClassifierFilesContext } from '../api/classifier-files.js';
import type { ConfigVersion } from '../api/config-versions.js';
import { ApiError } from '../api/errors.js';
import { ParsedFileCache } from '../api/file-cache.js';
import { ConfigError } from '../config/errors.js';
import type { CompiledClassifier } from '../detect/index.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../detect/index.js';
import type { ScriptDb } from '../storage/db.js';
import { formatTable } from './db-options.js';
import { UsageError, type CliIo } from './io.js';
import { storeAccess, type StoreArgs } from './store.js';

/**
 * The versioned config files (classifiers, the policy file) from the CLI: the same validation,
 * versions and audit entries as the API's PUT routes (src/api/config-versions.ts), on the store
 * and the files the engine config names. `--config` is required: it says which directories and
 * policy file the engines watch and which store holds the versions.
 */
export interface ConfigFilesAccess extends ClassifierFilesContext {
  db: ScriptDb;
  policyFile: string | null;
  configFile: string;
  env: Readonly<Record<string, string | undefined>>;
}

export async function openConfigFiles(values: StoreArgs, io: CliIo, command: string): Promise<ConfigFilesAccess> {
  if (values.config === undefined)
    throw new UsageError(`${command} needs --config FILE: the engine config names the files and the store their versions live in`);
  const store = await storeAccess(values, io);
  const { loadServeConfig } = await import('../api/serve-config.js');
  const served = await loadServeConfig(values.config, io.env);
  // As the API decides (src/api/context.ts): built-in is the package's directory; the custom one the last other.
  const builtin = BUILTIN_CLASSIFIERS_DIR.replace(/\/+$/, '');
  const builtinDirs = new Set(served.classifierDirs.filter((d) => d.replace(/\/+$/, '') === builtin));
  const custom = [...served.classifierDirs].reverse().find((d) => !builtinDirs.has(d)) ?? null;
  const db = await store.open();
  return {
    db,
    classifierDirs: served.classifierDirs,
    builtinDirs,
    customClassifierDir: custom,
    classifierFiles: new ParsedFileCache<CompiledClassifier[]>(),
    policyFile: served.policyFile,
    configFile: served.file,
    env: io.env,
  };
}

export async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
}

/** A unified diff, `(no changes)` when equal; exit 1 when they differ, like diff(1). */
export function writeDiff(io: CliIo, from: { name: string; text: string }, to: { name: string; text: string }): number {
  if (from.text === to.text) {
    io.stdout.write('(no changes)\n');
    return 0;
  }
  io.stdout.write(createTwoFilesPatch(from.name, to.name, from.text, to.text, undefined, undefined, { context: 3 }));
  return 1;
}

export function versionTable(versions: readonly ConfigVersion[]): string {
  return formatTable(
    ['VERSION', 'CREATED', 'AUTHOR', 'SHA256'],
    versions.map((v) => [v.version, v.createdAt, v.authorKeyId ?? 'cli', v.sha256.slice(0, 12)]),
    80,
  );
}

/** A version number argument (`rollback 3`). */
export function versionArg(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('VERSION must be a version number (1, 2, …): see the versions subcommand');
  return n;
}

/**
 * The API's answer to an invalid document (400) as what it is on the command line: an invalid
 * configuration file, `file: field: problem`, exit 78. Conflicts (409) stay API errors (exit 1).
 */
export async function asConfigError<T>(file: string, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) throw new ConfigError(`${file}: ${err.message}`, file, err.field);
    throw err;
  }
}
