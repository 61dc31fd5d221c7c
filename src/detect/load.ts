import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/errors.js';
import { builtinFromCache } from './builtin-cache.js';
import type { CompiledClassifier } from './compile.js';
import type { ClassifierSet } from './classifier-set.js';

/** The classifiers shipped with Segmentloom (`classifiers/` at the package root). */
export const BUILTIN_CLASSIFIERS_DIR = fileURLToPath(new URL('../../classifiers/', import.meta.url));

export type { ClassifierSet } from './classifier-set.js';

/**
 * Loads every `*.yaml`/`*.yml` file of the given directories (in order). A later directory may
 * redefine an id from an earlier one (a team's override of a built-in); the same id twice in one
 * directory is an error. Any problem throws a ConfigError naming the file and field: the engine
 * never runs half-configured.
 */
export async function loadClassifierSet(dirs: readonly string[] = [BUILTIN_CLASSIFIERS_DIR], options: { cache?: boolean } = {}): Promise<ClassifierSet> {
  // The built-in set alone, unchanged since the build: compiled from the cache, no YAML or zod.
  if (options.cache !== false && dirs.length === 1 && path.resolve(dirs[0]!) === path.resolve(BUILTIN_CLASSIFIERS_DIR)) {
    const cached = await builtinFromCache(BUILTIN_CLASSIFIERS_DIR);
    if (cached !== null) return cached;
  }
  const { parseClassifierFile } = await import('./parse-file.js');
  const byId = new Map<string, { classifier: CompiledClassifier; dir: string }>();
  const files: string[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
    } catch (err) {
      throw new ConfigError(
        `classifier directory ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message}`,
        dir,
      );
    }
    for (const name of entries) {
      const file = path.join(dir, name);
      files.push(file);
      for (const classifier of parseClassifierFile(file, await readFile(file, 'utf8'))) {
        const existing = byId.get(classifier.id);
        if (existing !== undefined && existing.dir === dir) {
          throw new ConfigError(`${file}: id: "${classifier.id}" is already defined in ${existing.classifier.file}`, file, 'id');
        }
        byId.set(classifier.id, { classifier, dir });
      }
    }
  }
  const classifiers = [...byId.values()].map((entry) => entry.classifier).filter((c) => c.enabled);
  if (classifiers.length === 0) throw new ConfigError(`no enabled classifiers found in ${dirs.join(', ')}`);
  return { classifiers, files };
}
