import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SegmentloomError } from '../core/errors.js';

/**
 * PGlite is one process's own database: a second process opening the same data directory would
 * write pages the first holds in memory, and corrupt the store. A pid file in the directory claims
 * it; a process that died leaves a stale claim, which the next opener takes over. Opens within one
 * process share the claim (counted), so a CLI that opens, closes and reopens is not refused.
 */
export class StoreBusyError extends SegmentloomError {
  override name = 'StoreBusyError';
  constructor(message: string) {
    super('SLOOM_ERR_STORE_BUSY', message);
  }
}

export const LOCK_FILE = 'segmentloom.pid';

const held = new Map<string, number>();

/** Claims `dataDir` for this process; returns the release. Throws StoreBusyError while another live process holds it. */
export function claimPgliteDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK_FILE);
  const count = held.get(dir);
  if (count !== undefined) {
    held.set(dir, count + 1);
    return once(() => release(dir, file));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = ownerOf(file);
      if (owner !== undefined && owner !== process.pid && alive(owner))
        throw new StoreBusyError(
          `the embedded store at ${dir} is open in another process (pid ${owner}): PGlite serves one process at a time. ` +
            'Stop that process (segmentloom serve or run) and try again, or do this through the running API ' +
            '(docs/api.md: /keys, /requests, /inventory …), or use PostgreSQL (storage.databaseUrl) to share a store',
        );
      unlinkSync(file);
    }
  }
  held.set(dir, 1);
  return once(() => release(dir, file));
}

function release(dir: string, file: string): void {
  const count = held.get(dir) ?? 0;
  if (count > 1) {
    held.set(dir, count - 1);
    return;
  }
  held.delete(dir);
  try {
    if (ownerOf(file) === process.pid) unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
