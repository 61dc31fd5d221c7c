// An event too big even for the file source's line limit is cut (and marked with its full
// length): the dead-letter reason and header report the real size, not what was kept.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/events/index.js';
import { DLQ_HEADER, deadLetterOf, TRUNCATED_HEADER } from '../../src/events/dead-letter.js';
import { jsonDecoder } from '../../src/events/decoder.js';
import { FileSource } from '../../src/pipeline/file/source.js';
import type { InputMessage } from '../../src/events/messages.js';
import { tempDir } from './helpers.js';

describe('dead-lettering an event cut by the file source', () => {
  it("reports the event's real size", async () => {
    const limits = { ...DEFAULT_LIMITS, maxBytes: 1_000 };
    const event = JSON.stringify({ type: 'track', event: 'Big', properties: { blob: 'x'.repeat(50_000) } });
    const path = join(tempDir(), 'in.ndjson');
    writeFileSync(path, `${event}\n`);
    const messages: InputMessage[] = [];
    const source = new FileSource({ path, batchSize: 10, topic: 'web', maxLineBytes: 4_000 });
    await source.start(async (batch) => {
      messages.push(...batch.messages);
      await batch.commit();
    });
    await source.finished;
    expect(messages).toHaveLength(1);
    const message = messages[0]!;
    expect(message.value!.length).toBe(4_000);

    const decoded = await jsonDecoder.decode(message, limits);
    expect(decoded).toMatchObject({ ok: false, code: 'oversized' });
    const failure = decoded as { code: string; reason: string };
    expect(failure.reason).toBe(`event is ${Buffer.byteLength(event)} bytes, over the 1000-byte limit`);

    const dead = deadLetterOf(message, failure, 2_000);
    expect(dead.headers![TRUNCATED_HEADER]).toBe(String(Buffer.byteLength(event)));
    expect(dead.headers![DLQ_HEADER.reason]).toBe(failure.reason);
    expect(dead.value!.length).toBe(2_000);
  });
});
