// The classifier set's parsed-YAML cache: keyed by the file's text, so an edited file is parsed
// again; the cached document is validated like a parsed one; a broken cache falls back to parsing.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadClassifierSet } from '../../src/detect/index.js';

const classifier = (name: string) => `id: loyalty\nname: ${name}\nclassification: yellow\ncategory: user.unique_id\nkey:\n  names: [loyalty number]\nvalue:\n  types: [string]\n  patterns: ['LY-\\d{8}']\n`;

describe('classifier set cache', () => {
  let dir: string;
  let cache: string;
  const saved = process.env.SEGMENTLOOM_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hotpath-classifiers-'));
    cache = mkdtempSync(path.join(tmpdir(), 'hotpath-cache-'));
    process.env.SEGMENTLOOM_CACHE_DIR = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SEGMENTLOOM_CACHE_DIR;
    else process.env.SEGMENTLOOM_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('caches the parsed document and parses an edited file again', async () => {
    writeFileSync(path.join(dir, 'loyalty.yaml'), classifier('Loyalty number'));
    const first = await loadClassifierSet([dir]);
    const entries = readdirSync(path.join(cache, 'classifiers-v1'));
    expect(entries).toHaveLength(1);
    const second = await loadClassifierSet([dir]);
    expect(second.classifiers.map((c) => c.valueDetection.classifier)).toEqual(first.classifiers.map((c) => c.valueDetection.classifier));
    writeFileSync(path.join(dir, 'loyalty.yaml'), classifier('Loyalty card number'));
    const edited = await loadClassifierSet([dir]);
    expect(edited.classifiers[0]!.valueDetection.classifier.name).toBe('Loyalty card number');
    expect(readdirSync(path.join(cache, 'classifiers-v1'))).toHaveLength(2);
  });

  it('falls back to parsing when a cache entry is broken, and still reports bad files', async () => {
    writeFileSync(path.join(dir, 'loyalty.yaml'), classifier('Loyalty number'));
    await loadClassifierSet([dir]);
    const [entry] = readdirSync(path.join(cache, 'classifiers-v1'));
    writeFileSync(path.join(cache, 'classifiers-v1', entry!), '{not json');
    expect((await loadClassifierSet([dir])).classifiers[0]!.valueDetection.classifier.name).toBe('Loyalty number');
    writeFileSync(path.join(dir, 'loyalty.yaml'), 'id: [unclosed');
    await expect(loadClassifierSet([dir])).rejects.toThrow(/loyalty\.yaml.*invalid YAML/);
  });
});
