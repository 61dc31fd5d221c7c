import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_CACHE_FILE, readSources, type CacheFile } from './builtin-cache.js';
import { loadClassifierSet } from './load.js';
import { parseClassifierDefinitions } from './parse-file.js';

/** Build time only (scripts/build-classifier-cache.js): kept apart so the reader never loads the loader. */
/** Validates every file of `dir` (as loadClassifierSet does) and writes the cache. */
export async function writeBuiltinCache(dir: string, cacheFile = BUILTIN_CACHE_FILE): Promise<number> {
  // The full loader's checks (duplicate ids, compiling patterns) run before anything is cached.
  await loadClassifierSet([dir], { cache: false });
  const { names, digest } = await readSources(dir);
  const entries: CacheFile['entries'] = [];
  for (const name of names) {
    for (const { definition, prefix } of parseClassifierDefinitions(path.join(dir, name), await readFile(path.join(dir, name), 'utf8')))
      entries.push({ name, prefix, definition });
  }
  await writeFile(cacheFile, JSON.stringify({ digest, entries } satisfies CacheFile));
  return entries.length;
}
