// The embedded store is one process's own: a second live process opening the same data directory
// is refused with a message saying what to do, a dead holder's claim is taken over, and opens
// within one process share the claim.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/storage/open.js';
import { LOCK_FILE, StoreBusyError } from '../../src/storage/pglite-lock.js';

const root = mkdtempSync(path.join(tmpdir(), 'segmentloom-pglite-lock-'));
const dataDir = path.join(root, 'data');
const storeModule = new URL('../../dist/storage/open.js', import.meta.url).href;

/** A real second process holding the store open until it is killed. */
function holder(): Promise<{ pid: number; kill(): Promise<void> }> {
  const code = `const { openDb } = await import(${JSON.stringify(storeModule)}); await openDb({ dataDir: ${JSON.stringify(dataDir)} }); console.log('open'); setInterval(() => {}, 1 << 30);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ready, fail) => {
    child.once('exit', (status) => fail(new Error(`holder exited with ${status}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('open')) return;
      child.removeAllListeners('exit');
      ready({
        pid: child.pid!,
        kill: () =>
          new Promise((gone) => {
            child.once('exit', () => gone());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

describe('the embedded store is held by one process at a time', () => {
  let held: Awaited<ReturnType<typeof holder>>;

  beforeAll(async () => {
    // Created (and closed) here, so the holder opens an existing store.
    await (await openDb({ dataDir })).close();
    held = await holder();
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a second live process, naming its pid and what to do instead, and never touches the store', async () => {
    const refused = await openDb({ dataDir }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StoreBusyError);
    const message = (refused as Error).message;
    expect(message).toContain(`pid ${held.pid}`);
    expect(message).toMatch(/one process at a time/);
    expect(message).toMatch(/through the running API/);
    expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(held.pid));
  });

  it('takes over the claim of a holder that was killed, and releases it on close', async () => {
    await held.kill();
    const db = await openDb({ dataDir });
    expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    // A second open in the same process shares the claim; the file goes with the last close.
    const again = await openDb({ dataDir });
    await again.close();
    expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await db.close();
    expect(() => readFileSync(path.join(dataDir, LOCK_FILE))).toThrow();
  }, 120_000); // two starts of the embedded PostgreSQL in this process: seconds each, tens under load
});
