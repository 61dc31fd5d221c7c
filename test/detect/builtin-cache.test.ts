// The built-in classifier cache written at build time compiles to the same set as the YAML, and
// a cache that no longer matches the files is never used.
import { mkdtempSync, cpSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinFromCache } from '../../src/detect/builtin-cache.js';
import { writeBuiltinCache } from '../../src/detect/builtin-cache-write.js';
import { BUILTIN_CLASSIFIERS_DIR, loadClassifierSet } from '../../src/detect/load.js';

const shape = (set: Awaited<ReturnType<typeof loadClassifierSet>>) =>
  set.classifiers.map((c) => ({
    id: c.id,
    file: c.file,
    patterns: c.value.patternSources,
    validators: c.value.validatorNames,
    key: c.key,
    confidence: c.confidence,
  }));

describe('built-in classifier cache', () => {
  it('compiles to the set the YAML gives, and is ignored once a file changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sl-cache-'));
    const classifiers = path.join(dir, 'classifiers');
    cpSync(BUILTIN_CLASSIFIERS_DIR, classifiers, { recursive: true });
    const cacheFile = path.join(dir, 'cache.json');
    expect(await writeBuiltinCache(classifiers, cacheFile)).toBeGreaterThan(20);
    const fromYaml = await loadClassifierSet([classifiers], { cache: false });
    const fromCache = await builtinFromCache(classifiers, cacheFile);
    expect(fromCache).not.toBeNull();
    expect(shape(fromCache!)).toEqual(shape(fromYaml));
    expect(fromCache!.files).toEqual(fromYaml.files);

    appendFileSync(path.join(classifiers, 'email.yaml'), '\n# edited\n');
    expect(await builtinFromCache(classifiers, cacheFile)).toBeNull();
  });

  it('is absent (null) when no cache was built', async () => {
    expect(await builtinFromCache(BUILTIN_CLASSIFIERS_DIR, path.join(tmpdir(), 'sl-no-such-cache.json'))).toBeNull();
  });
});
