import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClassifierDefinition } from './classifier-schema.js';
import { compileClassifier } from './compile.js';
import type { ClassifierSet } from './classifier-set.js';

/**
 * The built-in classifiers, validated once at build time (`npm run build` writes
 * dist/detect/builtin-classifiers.json): a start on the built-in set compiles them from JSON
 * instead of parsing 27 YAML files through yaml and zod, the largest part of `scan`'s start-up.
 * The cache holds a digest of every file's name and text; one edited, added or removed file and
 * it is ignored (the YAML is read as before), so it can never serve a stale set.
 */

// Spelled from the parent so the path holds from dist/detect/ and from the scan bundle in dist/bundle/.
export const BUILTIN_CACHE_FILE = fileURLToPath(new URL('../detect/builtin-classifiers.json', import.meta.url));

export interface CacheFile {
  digest: string;
  entries: Array<{ name: string; prefix: string; definition: ClassifierDefinition }>;
}

export async function readSources(dir: string): Promise<{ names: string[]; digest: string }> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  const hash = createHash('sha256');
  for (const name of names)
    hash
      .update(`${name}\0`)
      .update(await readFile(path.join(dir, name)))
      .update('\0');
  return { names, digest: hash.digest('hex') };
}

/** The compiled built-in set from the cache; null when there is none or it does not match the files. */
export async function builtinFromCache(dir: string, cacheFile = BUILTIN_CACHE_FILE): Promise<ClassifierSet | null> {
  let cache: CacheFile;
  try {
    cache = JSON.parse(await readFile(cacheFile, 'utf8')) as CacheFile;
  } catch {
    return null;
  }
  const { names, digest } = await readSources(dir);
  if (digest !== cache.digest) return null;
  const classifiers = cache.entries.map(({ name, prefix, definition }) => compileClassifier(definition, path.join(dir, name), prefix)).filter((c) => c.enabled);
  return { classifiers, files: names.map((name) => path.join(dir, name)) };
}
