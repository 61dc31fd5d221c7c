import { existsSync } from 'node:fs';
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface RotationOptions {
  /** Rotate when the file passes this size. */
  maxBytes: number;
  /** Delete rotated files last written longer ago than this. */
  retentionMs: number;
  /** Called with each file deleted for age (for logs and metrics); never with content. */
  onDelete?: (file: string) => void;
}

/** At most this long between rotations (so a file never holds records older than the retention for long). */
const MAX_FILE_AGE_MS = 86_400_000;

/**
 * An append-only NDJSON file that is rotated by size and age, with rotated files deleted past the
 * retention (the dead-letter file). Every write is awaited to the OS and all or nothing: a write
 * the disk refuses (ENOSPC, EFBIG) is cut back off, so the file stays whole lines, and rejects
 * with an error naming the file and the cause; the caller must not commit what it was writing.
 */
export class RotatingFile {
  private handle: FileHandle | null = null;
  private size = 0;
  private openedAt = 0;
  private queue: Promise<void> = Promise.resolve();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly stem: string;

  constructor(
    readonly path: string,
    private readonly options: RotationOptions,
  ) {
    this.stem = basename(path).replace(/\.ndjson$/, '');
  }

  write(text: string): Promise<void> {
    const next = this.queue.then(() => this.append(Buffer.from(text, 'utf8')));
    this.queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.handle?.close();
    this.handle = null;
  }

  /** Deletes rotated files past the retention; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const dir = dirname(this.path);
    let deleted = 0;
    for (const name of await readdir(dir)) {
      if (!name.startsWith(`${this.stem}.`) || !name.endsWith('.ndjson') || name === basename(this.path)) continue;
      const file = join(dir, name);
      const info = await stat(file).catch(() => null);
      if (info === null || now - info.mtimeMs <= this.options.retentionMs) continue;
      await unlink(file).catch(() => {});
      deleted++;
      this.options.onDelete?.(file);
    }
    return deleted;
  }

  private async append(bytes: Buffer): Promise<void> {
    if (this.handle === null) await this.start();
    else if (
      this.size > 0 &&
      (this.size + bytes.length > this.options.maxBytes || Date.now() - this.openedAt > Math.min(MAX_FILE_AGE_MS, this.options.retentionMs))
    )
      await this.rotate();
    const handle = this.handle!;
    const before = this.size;
    try {
      let at = 0;
      while (at < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, before + at);
        if (bytesWritten === 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
        at += bytesWritten;
      }
      await handle.datasync();
    } catch (err) {
      // All or nothing: a half-written line would make the file unreadable past it.
      await handle.truncate(before).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw Object.assign(
        new Error(
          `cannot write ${this.path}: ${code === 'ENOSPC' ? 'no space left on the device' : code === 'EFBIG' ? 'file size limit reached' : code}; nothing written was committed`,
        ),
        { code },
      );
    }
    this.size = before + bytes.length;
  }

  /** An existing file (a previous run's records) is rotated away, never truncated; old rotated files are deleted. */
  private async start(): Promise<void> {
    const existing = await stat(this.path).catch(() => null);
    if (existing !== null && existing.size > 0) await rename(this.path, this.rotatedName(existing.mtime));
    await this.openFresh();
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep().catch(() => {}), Math.min(3_600_000, Math.max(1_000, this.options.retentionMs / 2)));
    this.sweeper.unref();
  }

  private async rotate(): Promise<void> {
    await this.handle!.close();
    this.handle = null;
    await rename(this.path, this.rotatedName(new Date()));
    await this.openFresh();
    await this.sweep();
  }

  private async openFresh(): Promise<void> {
    this.handle = await open(this.path, 'w', 0o600);
    this.size = 0;
    this.openedAt = Date.now();
  }

  private rotatedName(at: Date): string {
    let name = join(dirname(this.path), `${this.stem}.${at.toISOString().replace(/[:.]/g, '-')}.ndjson`);
    // Two rotations within a millisecond: never overwrite a rotated file.
    for (let i = 1; existsSync(name); i++) name = join(dirname(this.path), `${this.stem}.${at.toISOString().replace(/[:.]/g, '-')}-${i}.ndjson`);
    return name;
  }
}
