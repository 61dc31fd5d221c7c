import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { FileWatcher } from '../../src/config/watch.js';
import { silentLogger } from '../../src/core/logger.js';
import { ControlsRef } from '../../src/pipeline/controls.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { Pipeline } from '../../src/pipeline/loop.js';
import { HotReloader } from '../../src/app/reload.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { memoryBatch, MemorySink, MemorySource, message, tempDir } from '../pipeline/helpers.js';

const waitFor = async (check: () => boolean, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

const POLICY_PASS = 'destinations:\n  - { name: out, topic: out }\n';
const POLICY_BLOCK = `${POLICY_PASS}policies:\n  - { name: no-email, match: { categories: [email] }, action: block }\n`;
const CUSTOM_CLASSIFIER = `id: loyalty_number
name: Loyalty number
classification: red
category: user.unique_id
key:
  names: [loyalty number]
`;

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

async function setup() {
  const dir = tempDir('sl-reload-');
  mkdirSync(join(dir, 'mine'));
  writeFileSync(join(dir, 'policies.yaml'), POLICY_PASS);
  writeFileSync(join(dir, 'engine.yaml'), 'policyFile: policies.yaml\nclassifiers: [builtin, mine]\nreload: { debounceMs: 20, pollMs: 100 }\n');
  const config = await loadEngineConfig(join(dir, 'engine.yaml'), {});
  const ref = new ControlsRef((await buildControls(config)).controls);
  const results: string[] = [];
  const reloader = new HotReloader({ initial: config, ref, logger: silentLogger(), env: {}, onReload: (r) => results.push(r) });
  await reloader.start();
  closers.push(() => reloader.close());
  const sink = new MemorySink();
  const pipeline = new Pipeline({ source: new MemorySource(), sink, decoder: jsonDecoder, controls: ref, sourceName: () => 's', logger: silentLogger() });
  const process = async (properties: Record<string, unknown>) => {
    sink.sent.clear();
    await pipeline.handleBatch(memoryBatch([message({ type: 'track', event: 'e', properties })]));
    return sink.json('out')[0]?.properties;
  };
  return { dir, ref, reloader, results, process };
}

describe('hot reload', () => {
  it('applies a changed policy file between batches without a restart', async () => {
    const { dir, ref, results, process } = await setup();
    expect(await process({ email: 'ada@example.com' })).toEqual({ email: 'ada@example.com' });
    const before = ref.current.generation;
    writeFileSync(join(dir, 'policies.yaml'), POLICY_BLOCK);
    await waitFor(() => ref.current.generation !== before);
    expect(results).toEqual(['applied']);
    expect(await process({ email: 'ada@example.com', plan: 'pro' })).toEqual({ plan: 'pro' });
  });

  it('rejects an invalid change and keeps the last good controls', async () => {
    const { dir, ref, reloader, results, process } = await setup();
    const before = ref.current;
    writeFileSync(join(dir, 'policies.yaml'), `${POLICY_PASS}policies:\n  - { name: bad, match: { categories: [no_such_classifier] }, action: block }\n`);
    await waitFor(() => results.length > 0);
    expect(results).toEqual(['rejected']);
    expect(ref.current).toBe(before);
    expect(reloader.error).toContain('policies.yaml');
    expect(reloader.error).toContain('policies[0].match.categories[0]');
    expect(await process({ email: 'ada@example.com' })).toEqual({ email: 'ada@example.com' });

    // A later valid change is applied.
    writeFileSync(join(dir, 'policies.yaml'), POLICY_BLOCK);
    await waitFor(() => results.length > 1);
    expect(results).toEqual(['rejected', 'applied']);
    expect(reloader.error).toBeNull();
  });

  it('re-reads classifier directories when a classifier file is added or broken', async () => {
    const { dir, ref, results, process } = await setup();
    writeFileSync(join(dir, 'policies.yaml'), `${POLICY_PASS}policies:\n  - { name: red, match: { classifications: [red] }, action: block }\n`);
    await waitFor(() => results.length === 1);
    expect(await process({ loyalty_number: 'LY-12345' })).toEqual({ loyalty_number: 'LY-12345' });

    writeFileSync(join(dir, 'mine/loyalty.yaml'), CUSTOM_CLASSIFIER);
    await waitFor(() => results.length === 2);
    expect(await process({ loyalty_number: 'LY-12345', plan: 'pro' })).toEqual({ plan: 'pro' });

    const good = ref.current;
    writeFileSync(join(dir, 'mine/loyalty.yaml'), 'id: Not-Snake-Case\n');
    await waitFor(() => results.length === 3);
    expect(results[2]).toBe('rejected');
    expect(ref.current).toBe(good);
  });

  it('warns about sections that need a restart but applies the rest', async () => {
    const { dir, ref, results } = await setup();
    const before = ref.current.generation;
    writeFileSync(
      join(dir, 'engine.yaml'),
      'policyFile: policies.yaml\nclassifiers: [builtin, mine]\nreload: { debounceMs: 20, pollMs: 100 }\nsource: renamed\nsuppression: { userIds: [u1] }\n',
    );
    await waitFor(() => results.length === 1);
    expect(results).toEqual(['applied']);
    expect(ref.current.generation).not.toBe(before);
    expect(ref.current.suppression.isSuppressed({ type: 'track', userId: 'u1' })).toBe(true);
  });
});

describe('FileWatcher', () => {
  it('reports a content change once, ignores rewrites with the same content, and polls without fs events', async () => {
    const dir = tempDir('sl-watch-');
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'a: 1\n');
    let changes = 0;
    const watcher = new FileWatcher({ files: [file], dirs: [] }, () => void changes++, { debounceMs: 10, pollMs: 0 });
    await watcher.start();
    closers.push(() => watcher.close());
    writeFileSync(file, 'a: 1\n');
    await watcher.check();
    expect(changes).toBe(0);
    writeFileSync(file, 'a: 2\n');
    await watcher.check();
    await watcher.check();
    expect(changes).toBe(1);
  });
});
