import { describe, expect, it } from 'vitest';
import { loadEngineConfig } from '../../src/config/load.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { PathTrie } from '../../src/events/index.js';
import { failure, write } from './helpers.js';

describe('sourceRegions (national-format phones per source)', () => {
  it('defaults to none and takes ISO country codes per source name', async () => {
    expect((await loadEngineConfig(write(''), {})).sourceRegions).toEqual({});
    const config = await loadEngineConfig(write('sourceRegions: { app_tr: TR, web_ph: ph }\n'), {});
    expect(config.sourceRegions).toEqual({ app_tr: 'TR', web_ph: 'ph' });
  });

  it('rejects a code without a numbering plan, naming the field', async () => {
    const err = await failure(loadEngineConfig(write('sourceRegions: { app: Turkey }\n'), {}));
    expect(err.message).toContain('sourceRegions');
    expect(err.message).toContain('ISO 3166');
  });

  it("reads the source's region when the event does not say where it comes from", async () => {
    const config = await loadEngineConfig(write('sourceRegions: { app_tr: TR }\n'), {});
    const { controls } = await buildControls(config);
    const trie = new PathTrie();
    controls.detector.beginEvent?.({ context: {} }, 'app_tr');
    expect(controls.detector.detect(trie.resolve('traits.phone'), '0532 123 45 67')?.matchedOn).toBe('key+value');
    controls.detector.beginEvent?.({ context: { location: { country: 'US' } } }, 'app_tr');
    expect(controls.detector.detect(trie.resolve('traits.mobile'), '0532 123 45 67')?.matchedOn).toBe('key');
  });
});
