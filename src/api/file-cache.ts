import { readFile, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';

/**
 * Parsed files, reused only while the file is provably the one parsed. The API reads classifier
 * files that people also edit on disk, so a stale parse must never be served:
 *
 * - the key is (device, inode, size, mtime, ctime) at nanosecond precision from a stat taken
 *   *before* the read; ctime cannot be set from user space, so `touch -d`, `cp -p` or a same-size
 *   rewrite still change it, and a rename over the file (editors, `PUT`) changes the inode;
 * - a timestamp has the file system's granularity (up to 2 s), so a change within the same tick
 *   as the cached version could keep every field. While the cached ctime is that close to when it
 *   was read ("racy", as git calls it), the file is read again and compared byte for byte; once
 *   the file has been quiet for longer than the granularity, the stat alone decides.
 *
 * Steady state costs one stat per file per request; only a changed (or racy) file is read, and only
 * a changed file is parsed again.
 */

/** Covers the coarsest file-system timestamps (FAT: 2 s) plus a margin. */
const RACY_MS = 3_000;

interface Entry<T> {
  signature: string;
  ctimeMs: number;
  /** Wall-clock time just before the stat the signature comes from. */
  checkedAtMs: number;
  text: string;
  parsed: T;
}

export interface CachedFile<T> {
  text: string;
  parsed: T;
}

export class ParsedFileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly racyMs: number;

  /** `racyMs`: how recent a change must be to re-read the file whatever its stat says (tests shorten it). */
  constructor(options: { racyMs?: number } = {}) {
    this.racyMs = options.racyMs ?? RACY_MS;
  }

  /** The file's text and parse; null when the file does not exist. Parse errors propagate and are not cached. */
  async get(file: string, parse: (file: string, text: string) => T): Promise<CachedFile<T> | null> {
    const checkedAtMs = Date.now();
    const stats = await statOrNull(file);
    if (stats === null) {
      this.entries.delete(file);
      return null;
    }
    const signature = signatureOf(stats);
    const ctimeMs = Number(stats.ctimeNs / 1_000_000n);
    const cached = this.entries.get(file);
    if (cached && cached.signature === signature && cached.ctimeMs < cached.checkedAtMs - this.racyMs) return cached;
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (text === null) {
      this.entries.delete(file);
      return null;
    }
    // Same bytes (a racy entry checked again, or a touch): keep the parse, refresh the check time.
    const parsed = cached && cached.text === text ? cached.parsed : parse(file, text);
    this.entries.set(file, { signature, ctimeMs, checkedAtMs, text, parsed });
    return { text, parsed };
  }

  /** Forgets a file the caller has just written (the stat would notice too; this makes it certain). */
  invalidate(file: string): void {
    this.entries.delete(file);
  }

  /** Forgets every file not in `present` (files deleted from disk). */
  retain(present: ReadonlySet<string>): void {
    for (const file of this.entries.keys()) if (!present.has(file)) this.entries.delete(file);
  }
}

async function statOrNull(file: string): Promise<BigIntStats | null> {
  try {
    return await stat(file, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function signatureOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
