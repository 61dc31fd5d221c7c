import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/run.js';
import { silentLogger } from '../../src/core/logger.js';
import { runFileEngine } from '../../src/app/start.js';
import { expectedHash, policyYaml, sampleEvent, tempDir, writeConfig } from './helpers.js';

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('file pipeline', () => {
  it('writes one NDJSON file per destination and a dead-letter file', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.ndjson');
    writeFileSync(
      input,
      [
        JSON.stringify(sampleEvent({ messageId: 'a' })),
        '',
        '{"type":"track", broken',
        JSON.stringify(sampleEvent({ messageId: 'b', userId: 'gone' })),
        JSON.stringify(sampleEvent({ messageId: 'c', context: { consent: { categoryPreferences: { Advertising: false } } } })),
      ].join('\n'),
    );
    const { config } = await writeConfig(
      `${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\nsuppression: { userIds: [gone] }\nbatch: { size: 2 }\n`,
      dir,
    );
    const result = await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out') });

    expect(readLines(join(dir, 'out/warehouse.ndjson')).map((e) => e.messageId)).toEqual(['a', 'c']);
    expect(readLines(join(dir, 'out/ads.ndjson')).map((e) => e.messageId)).toEqual(['a']);
    const ads = readLines(join(dir, 'out/ads.ndjson'))[0];
    expect(ads.properties.email).toBe(expectedHash('ada@example.com'));
    expect(ads.properties).not.toHaveProperty('password');
    const [dead] = readLines(join(dir, 'out/dead-letter.ndjson'));
    expect(dead).toEqual({
      key: null,
      value: '{"type":"track", broken',
      valueEncoding: 'utf8',
      headers: expect.objectContaining({ 'x-segmentloom-dlq-code': 'malformed_json', 'x-segmentloom-dlq-offset': '3' }),
    });
    expect(result.totals.totals.eventsIn).toBe(4);
    expect(result.totals.batches).toBe(2);
  });

  it('dead-letters a line that is not UTF-8 with its exact bytes, and a line over the cap truncated with its full length', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.ndjson');
    const latin1 = Buffer.from('{"type":"track","event":"caf\xe9"}', 'latin1'); // é as one byte: not UTF-8
    const huge = `{"type":"track","event":"big","properties":{"blob":"${'x'.repeat(3000)}"}}`;
    writeFileSync(input, Buffer.concat([Buffer.from(`${JSON.stringify(sampleEvent({ messageId: 'ok' }))}\r\n`), latin1, Buffer.from(`\n${huge}\n`)]));
    const { config } = await writeConfig(`${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\nlimits: { maxBytes: 1024 }\n`, dir);
    const { FileSource } = await import('../../src/pipeline/file/source.js');
    // The engine keeps lines whole far past maxBytes; a source with a small cap shows the truncation.
    const source = new FileSource({ path: input, maxLineBytes: 2048 });
    const seen: Array<{ bytes: number; headers: Record<string, unknown> }> = [];
    await source.start(async (batch) => {
      for (const m of batch.messages) seen.push({ bytes: m.value!.length, headers: m.headers });
      await batch.commit();
    });
    await source.finished;
    expect(seen).toEqual([
      { bytes: JSON.stringify(sampleEvent({ messageId: 'ok' })).length, headers: {} },
      { bytes: latin1.length, headers: {} },
      { bytes: 2048, headers: { 'x-segmentloom-truncated-from': String(huge.length) } },
    ]);

    await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out') });
    expect(readLines(join(dir, 'out/warehouse.ndjson')).map((e) => e.messageId)).toEqual(['ok']);
    const dead = readLines(join(dir, 'out/dead-letter.ndjson'));
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ valueEncoding: 'base64', headers: expect.objectContaining({ 'x-segmentloom-dlq-code': 'malformed_json' }) });
    expect(Buffer.from(dead[0].value, 'base64')).toEqual(latin1);
    // Under the engine's cap the oversized line is kept whole.
    expect(dead[1]).toMatchObject({
      value: huge,
      valueEncoding: 'utf8',
      headers: expect.objectContaining({ 'x-segmentloom-dlq-code': 'oversized', 'x-segmentloom-dlq-offset': '3' }),
    });
  });

  it('runs from the CLI with --input and prints a summary', async () => {
    const dir = tempDir();
    const stdout = capture();
    const stderr = capture();
    // The embedded config keeps state in PGlite: in a directory of this test's own.
    const env = { SEGMENTLOOM_DATA_DIR: join(dir, 'state') };
    const code = await run(['--config', join(import.meta.dirname, '../../config/embedded.yaml'), '--out', join(dir, 'out'), '--json'], { stdout, stderr, env });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.text);
    expect(summary.eventsIn).toBe(199);
    expect(summary.deadLettered.total).toBe(7);
    expect(summary.dropped.byReason.suppressed).toBe(2);
    expect(summary.out.warehouse).toBeGreaterThan(150);
    expect(summary.dataPoints.red).toBeGreaterThan(0);
    expect(summary.actions['block-secrets'].block).toBeGreaterThan(0);
    expect(summary.actions['pseudonymize-contact-for-ads'].hash).toBeGreaterThan(0);
    expect(summary.stored.events).toBe(
      summary.eventsIn - summary.deadLettered.total - summary.dropped.byReason.suppressed - (summary.dropped.byReason.policy ?? 0),
    );
    expect(summary.inventory.newDataPoints).toBeGreaterThan(0);
    // Logs never contain event values.
    expect(stderr.text).not.toMatch(/@example\.com|4111/);
    const warehouse = readFileSync(join(dir, 'out/warehouse.ndjson'), 'utf8');
    expect(warehouse).not.toContain('4111111111111111');
    expect(warehouse).not.toContain('Hunter2');
    // The command makes its embedded store (the template unpacked, PostgreSQL started in
    // WebAssembly: 10–40 s at a load of 20 on two cores) before the first event: that is its budget.
  }, 180_000);

  it('reads stdin with --input - and prints a text summary', async () => {
    const dir = tempDir();
    const { file } = await writeConfig(policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' }), dir);
    const stdin = new PassThrough();
    stdin.end(`${JSON.stringify(sampleEvent())}\nnot json\n`);
    const stdout = capture();
    const code = await run(['--config', file, '--input', '-', '--out', join(dir, 'out')], { stdin, stdout, stderr: capture(), env: {} });
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/events in\s+2/);
    expect(stdout.text).toMatch(/warehouse\s+1/);
    expect(stdout.text).toMatch(/dead-lettered\s+1\s+\(malformed_json 1\)/);
    expect(stdout.text).toContain('personal data found');
  });

  it('refuses to run without an input or a kafka section', async () => {
    const { file } = await writeConfig('source: x\n');
    await expect(run(['--config', file], { stdout: capture(), stderr: capture(), env: {} })).rejects.toThrow(/no kafka section/);
    await expect(run([], { stdout: capture(), stderr: capture(), env: {} })).rejects.toThrow(/--config/);
  });
});
