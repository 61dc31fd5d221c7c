// The walk of the running pipeline reads an event by its call type: a group call's traits describe
// the group, so its `traits.name` is a company's name, while an identify call's is a person's.
import { describe, expect, it } from 'vitest';
import { PathTrie } from '../../src/events/index.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { LocalProcessor } from '../../src/pipeline/processor.js';
import { buildControls } from '../../src/pipeline/build-controls.js';
import { DataPointTally } from '../../src/pipeline/walker.js';
import { message, policyYaml, writeConfig } from './helpers.js';

describe('EventWalker', () => {
  it("classifies a group's traits.name as no personal data and an identify's as a person's name, in one trie", async () => {
    const { config } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }));
    const controls = (await buildControls(config)).controls;
    const tally = new DataPointTally();
    const processor = new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(), tally);
    const processed = await processor.process(controls, [
      message({ type: 'group', groupId: 'org_1', userId: 'u1', traits: { name: 'Acme Inc', email: 'billing@acme.example.com' } }),
      message({ type: 'identify', userId: 'u1', traits: { name: 'Jane Doe' } }),
    ]);
    expect(processed!.report.deadLettered.size).toBe(0);
    const found = tally.entries().map(({ event, path, classifier }) => `${event} ${path} ${classifier}`);
    expect(found).toContain('identify traits.name person_name');
    expect(found).toContain('group traits.email email');
    expect(found).not.toContain('group traits.name person_name');
  });

  it('reads each event in its own region: a Turkish number in a Turkish event, not in an American one', async () => {
    const { config } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }));
    const controls = (await buildControls(config)).controls;
    const tally = new DataPointTally();
    const processor = new LocalProcessor(jsonDecoder, () => 'web', new PathTrie(), tally);
    await processor.process(controls, [
      message({ type: 'track', event: 'Support', userId: 'u1', context: { locale: 'tr-TR' }, properties: { comment: 'ring me on 0532 123 45 67 please' } }),
      message({ type: 'track', event: 'Support', userId: 'u2', context: { locale: 'en-US' }, properties: { note: 'ring me on 0532 123 45 67 please' } }),
    ]);
    const found = tally.entries().map(({ path, classifier }) => `${path} ${classifier}`);
    expect(found).toContain('properties.comment phone_number');
    expect(found).not.toContain('properties.note phone_number');
  });
});
