import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface WatchTargets {
  /** Files whose content matters (the config file, a policy file). */
  files: readonly string[];
  /** Directories whose `*.yaml`/`*.yml` files matter (classifier directories). */
  dirs: readonly string[];
}

export interface WatchOptions {
  /** Quiet time after the last change event before checking (editors write in several steps). */
  debounceMs?: number;
  /** Poll interval for filesystems whose change events are unreliable (NFS, some containers); 0 disables. */
  pollMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Calls `onChange` when the content of the watched files changes. fs.watch events (on the parent
 * directories, so replace-by-rename saves are seen) are debounced; a poll is the fallback. Both
 * only schedule a check, and the check compares a content fingerprint, so touching a file or a
 * burst of events gives at most one call, and a change is never reported twice.
 */
export class FileWatcher {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private fingerprint = '';
  private checking: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly debounceMs: number;

  constructor(
    private targets: WatchTargets,
    private readonly onChange: () => void | Promise<void>,
    private readonly options: WatchOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 200;
  }

  /** Takes the initial fingerprint and starts watching. */
  async start(): Promise<void> {
    this.fingerprint = await fingerprintOf(this.targets);
    this.attach();
    const pollMs = this.options.pollMs ?? 2000;
    if (pollMs > 0) {
      this.poller = setInterval(() => this.schedule(0), pollMs);
      this.poller.unref();
    }
  }

  /**
   * Changes what is watched (a reload may name other classifier dirs). The new targets'
   * fingerprint becomes the baseline: they were just read by the reload.
   */
  async retarget(targets: WatchTargets): Promise<void> {
    this.targets = targets;
    this.fingerprint = await fingerprintOf(targets);
    this.detach();
    if (!this.closed) this.attach();
  }

  /** Forces a check now (tests, SIGHUP). */
  check(): Promise<void> {
    if (this.checking !== null) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      try {
        do {
          this.again = false;
          const next = await fingerprintOf(this.targets);
          if (next !== this.fingerprint && !this.closed) {
            this.fingerprint = next;
            await this.onChange();
          }
        } while (this.again && !this.closed);
      } catch (err) {
        this.options.onError?.(err);
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  close(): void {
    this.closed = true;
    this.detach();
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
  }

  private schedule(delay = this.debounceMs): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, delay);
    this.timer.unref();
  }

  private attach(): void {
    const places = new Set([...this.targets.files.map((f) => dirname(f)), ...this.targets.dirs]);
    for (const place of places) {
      try {
        const watcher = watch(place, { persistent: false }, () => this.schedule());
        // A watched directory that disappears errors; the poll keeps covering it.
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // ENOENT/ENOSPC/unsupported: the poll is the fallback.
      }
    }
  }

  private detach(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }
}

/** A hash over the content of every watched file (missing files count as missing, not as errors). */
export async function fingerprintOf(targets: WatchTargets): Promise<string> {
  const hash = createHash('sha256');
  const addFile = async (file: string) => {
    hash.update(file).update('\0');
    try {
      hash.update(await readFile(file));
    } catch {
      hash.update('(missing)');
    }
    hash.update('\0');
  };
  for (const file of targets.files) await addFile(file);
  for (const dir of targets.dirs) {
    let names: string[];
    try {
      const info = await stat(dir);
      names = info.isDirectory() ? (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort() : [];
    } catch {
      hash.update(`${dir}\0(missing)\0`);
      continue;
    }
    for (const name of names) await addFile(join(dir, name));
  }
  return hash.digest('hex');
}
