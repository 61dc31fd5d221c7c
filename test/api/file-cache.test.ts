import { renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParsedFileCache } from '../../src/api/file-cache.js';
import { tempDir } from './helpers.js';

/** A parse that counts its calls and fails on `broken`. */
function counter() {
  const calls: string[] = [];
  const parse = (_file: string, text: string) => {
    if (text.includes('broken')) throw new Error('broken file');
    calls.push(text);
    return { parsedFrom: text };
  };
  return { calls, parse };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('parsed file cache', () => {
  it('parses a file once while it is unchanged', async () => {
    const file = join(tempDir(), 'a.yaml');
    writeFileSync(file, 'id: one\n');
    const cache = new ParsedFileCache<{ parsedFrom: string }>();
    const { calls, parse } = counter();
    for (let i = 0; i < 5; i++) expect((await cache.get(file, parse))!.parsed).toEqual({ parsedFrom: 'id: one\n' });
    expect(calls).toEqual(['id: one\n']);
  });

  it('never serves a stale parse: same-size rewrites in quick succession are each seen', async () => {
    const file = join(tempDir(), 'a.yaml');
    const cache = new ParsedFileCache<{ parsedFrom: string }>();
    const { parse } = counter();
    for (let i = 0; i < 50; i++) {
      // Same length every time, no pause: size and (coarse) timestamps can all repeat.
      const text = `id: v${String(i).padStart(3, '0')}\n`;
      writeFileSync(file, text);
      expect((await cache.get(file, parse))!.text).toBe(text);
      expect((await cache.get(file, parse))!.parsed).toEqual({ parsedFrom: text });
    }
  });

  it('trusting the stat once the file is quiet, it still sees a same-size edit whose mtime was put back (ctime)', async () => {
    const file = join(tempDir(), 'a.yaml');
    writeFileSync(file, 'name: aaaa\n');
    const cache = new ParsedFileCache<{ parsedFrom: string }>({ racyMs: 0 });
    const { calls, parse } = counter();
    await pause(30);
    await cache.get(file, parse);
    await cache.get(file, parse);
    expect(calls).toHaveLength(1);
    const { atime, mtime } = statSync(file);
    await pause(30);
    writeFileSync(file, 'name: bbbb\n');
    utimesSync(file, atime, mtime);
    expect((await cache.get(file, parse))!.text).toBe('name: bbbb\n');
    expect(calls).toEqual(['name: aaaa\n', 'name: bbbb\n']);
  });

  it('sees a file replaced by rename, and a deleted one', async () => {
    const dir = tempDir();
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'id: one\n');
    const cache = new ParsedFileCache<{ parsedFrom: string }>({ racyMs: 0 });
    const { parse } = counter();
    await pause(30);
    await cache.get(file, parse);
    writeFileSync(join(dir, '.a.tmp'), 'id: two\n');
    renameSync(join(dir, '.a.tmp'), file);
    expect((await cache.get(file, parse))!.text).toBe('id: two\n');
    rmSync(file);
    expect(await cache.get(file, parse)).toBeNull();
  });

  it('does not cache a parse error: the fixed file is parsed', async () => {
    const file = join(tempDir(), 'a.yaml');
    writeFileSync(file, 'broken\n');
    const cache = new ParsedFileCache<{ parsedFrom: string }>();
    const { parse } = counter();
    await expect(cache.get(file, parse)).rejects.toThrow('broken file');
    await expect(cache.get(file, parse)).rejects.toThrow('broken file');
    writeFileSync(file, 'fixed\n');
    expect((await cache.get(file, parse))!.text).toBe('fixed\n');
  });
});
