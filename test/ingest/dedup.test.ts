// The in-process messageId window: an id is seen once its produce succeeded, its duplicates wait
// for a produce in flight, a failed produce forgets it, the window ends, the oldest go past the cap.
import { describe, expect, it } from 'vitest';
import { MessageIdWindow } from '../../src/ingest/dedup.js';

function deferred(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

describe('MessageIdWindow', () => {
  it('in flight: duplicates get the produce; accepted: seen until the window ends, per source', async () => {
    let clock = 1_000;
    const window = new MessageIdWindow(100, 60_000, () => clock);
    const produce = deferred();
    expect(window.check('web', 'a')).toBe('new');
    window.track('web', ['a', 'b'], produce.promise);
    expect(window.check('web', 'a')).toBe(produce.promise);
    expect(window.check('app', 'a')).toBe('new');
    expect(window.size).toBe(0);
    produce.resolve();
    await produce.promise;
    expect(window.check('web', 'a')).toBe('seen');
    expect(window.check('web', 'b')).toBe('seen');
    expect(window.size).toBe(2);
    clock += 60_001;
    expect(window.check('web', 'a')).toBe('new');
    expect(window.size).toBe(1);
  });

  it('a failed produce forgets its ids; a later produce of the same id is not undone by it', async () => {
    const window = new MessageIdWindow(100, 60_000);
    const failed = deferred();
    window.track('web', ['f', 'g'], failed.promise);
    const retry = deferred();
    window.track('web', ['g'], retry.promise);
    failed.reject(new Error('broker'));
    await failed.promise.catch(() => {});
    expect(window.check('web', 'f')).toBe('new');
    expect(window.check('web', 'g')).toBe(retry.promise);
    retry.resolve();
    await retry.promise;
    expect(window.check('web', 'g')).toBe('seen');
    expect(window.size).toBe(1);
  });

  it('past maxEntries the oldest accepted go, from the largest source; in-flight ids stay', async () => {
    const window = new MessageIdWindow(3, 60_000);
    const first = deferred();
    window.track('web', ['w1', 'w2', 'w3'], first.promise);
    first.resolve();
    await first.promise;
    const pending = deferred();
    window.track('web', ['w5'], pending.promise);
    const second = deferred();
    window.track('app', ['p1'], second.promise);
    second.resolve();
    await second.promise;
    expect(window.size).toBe(3);
    expect(window.check('web', 'w1')).toBe('new');
    expect(window.check('web', 'w2')).toBe('seen');
    expect(window.check('app', 'p1')).toBe('seen');
    expect(window.check('web', 'w5')).toBe(pending.promise);
  });

  it('maxEntries 0 keeps nothing', async () => {
    const window = new MessageIdWindow(0, 60_000);
    window.track('web', ['x'], Promise.resolve());
    await Promise.resolve();
    expect(window.check('web', 'x')).toBe('new');
  });
});
