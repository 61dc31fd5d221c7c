// The dead-letter path holds the original events, personal data included: sealed at rest under
// the master key, readable (reasons, metadata) without it, restorable only with it.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run as dlq } from '../../src/cli/commands/dlq.js';
import { ConfigError } from '../../src/config/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { DLQ_HEADER } from '../../src/events/dead-letter.js';
import { DeadLetterOpener, DeadLetterSealer, DLQ_SEALED_HEADER } from '../../src/pipeline/dead-letter-seal.js';
import { deadLetterOf } from '../../src/events/dead-letter.js';
import { runFileEngine } from '../../src/app/start.js';
import { Keyring } from '../../src/storage/crypto/master-keys.js';
import { message, policyYaml, sampleEvent, tempDir, writeConfig } from './helpers.js';

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

const key = () => randomBytes(32).toString('base64');
const EMAIL = 'grace.hopper@navy.example';
// Three lines the engine cannot process, each carrying personal data.
const BAD_LINES = [
  `{"type":"track","userId":"u-1","properties":{"email":"${EMAIL}"`,
  `{"type":"track","properties":{"ssn":"078-05-1120","n":1e400}}`,
  `{"type":"identify","traits":{"email":"${EMAIL}"}}}`,
];

async function deadLettersOf(env: Record<string, string>, extraYaml = '') {
  const dir = tempDir('sl-dlq-seal-');
  const input = join(dir, 'in.ndjson');
  writeFileSync(input, `${[JSON.stringify(sampleEvent({ messageId: 'ok' })), ...BAD_LINES].join('\n')}\n`);
  const { config } = await writeConfig(`${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\n${extraYaml}`, dir);
  await runFileEngine(config, { logger: silentLogger(), input, outDir: join(dir, 'out'), env });
  return { dir, file: join(dir, 'out/dead-letter.ndjson'), config };
}

async function cli(args: string[], env: Record<string, string>) {
  const stdout = capture();
  const stderr = capture();
  const code = await dlq(args, { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('dead letters sealed at rest', () => {
  it('keeps no event content in clear, shows reasons without the key, and replays the exact lines with it', async () => {
    const env = { SEGMENTLOOM_MASTER_KEYS: `1:${key()}` };
    const { file, dir } = await deadLettersOf(env);
    const text = readFileSync(file, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    for (const needle of [EMAIL, '078-05-1120', 'u-1', 'grace', '1e400']) expect(text).not.toContain(needle);
    // Nor base64 of the value: the sealed bytes are noise.
    expect(text).not.toContain(Buffer.from(EMAIL).toString('base64').slice(0, 16));

    // Inspect: no key in the environment, reasons and coordinates readable, no values.
    const inspected = await cli(['inspect', file], {});
    expect(inspected.code).toBe(0);
    const rows = inspected.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.slice(0, 3).map((r) => r.code)).toEqual(['malformed_json', 'unrepresentable_number', 'malformed_json']);
    expect(rows.slice(0, 3).every((r) => r.encrypted === true && r.masterKeyVersion === 1 && r.source.offset !== null)).toBe(true);
    expect(rows[3]).toEqual({ totals: { records: 3, encrypted: 3, clear: 0, truncated: 0, byCode: { malformed_json: 2, unrepresentable_number: 1 } } });
    expect(inspected.stdout).not.toContain(EMAIL);
    expect(inspected.stdout).not.toContain('078-05-1120');

    // Replay without the key: refused, naming why.
    const refused = await cli(['replay', file], {});
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    // Replay with the key: the original lines, byte for byte.
    const out = join(dir, 'replayed.ndjson');
    const replayed = await cli(['replay', file, '--out', out], env);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stderr)).toEqual({ replayed: 3, skippedTruncated: 0 });
    expect(readFileSync(out, 'utf8')).toBe(`${BAD_LINES.join('\n')}\n`);
  });

  it('replay without a key fails with a message naming the missing key', async () => {
    const { file } = await deadLettersOf({ SEGMENTLOOM_MASTER_KEYS: `1:${key()}` });
    const none = await cli(['replay', file], {});
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toMatch(/dead-letter\.ndjson:1: the record is encrypted and no master key is configured/);
    const wrong = await cli(['replay', file], { SEGMENTLOOM_MASTER_KEYS: `1:${key()}` });
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toMatch(/does not unwrap under master key version 1/);
    const other = await cli(['replay', file], { SEGMENTLOOM_MASTER_KEYS: `2:${key()}` });
    expect(other.stderr).toMatch(/master key version 1, which is not in the keyring/);
  });

  it('records sealed before a master key rotation stay readable with the old version kept', async () => {
    const v1 = key();
    const before = await deadLettersOf({ SEGMENTLOOM_MASTER_KEYS: `1:${v1}` });
    const rotated = { SEGMENTLOOM_MASTER_KEYS: `1:${v1},2:${key()}` };
    const after = await deadLettersOf(rotated);
    const versions = async (file: string) =>
      (await cli(['inspect', file], {})).stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).masterKeyVersion);
    expect(await versions(before.file)).toEqual([1, 1, 1]);
    expect(await versions(after.file)).toEqual([2, 2, 2]);
    for (const { file, dir } of [before, after]) {
      const out = join(dir, 'replayed.ndjson');
      expect((await cli(['replay', file, '--out', out], rotated)).code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(`${BAD_LINES.join('\n')}\n`);
    }
  });

  it('a sealed value moved to another record, or a changed reason, fails authentication', () => {
    const keyring = Keyring.parse(`1:${key()}`);
    const sealer = new DeadLetterSealer(keyring);
    const opener = new DeadLetterOpener(keyring);
    const text = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
    const a = sealer.seal(
      deadLetterOf(message({ email: EMAIL }, { offset: '1', key: Buffer.from('user-a'), headers: { trace: 'abc' } }), { code: 'x', reason: 'why' }),
    );
    const b = sealer.seal(deadLetterOf(message({ email: 'other' }, { offset: '2' }), { code: 'x', reason: 'why' }));
    expect(a.key).toBeNull();
    expect(a.headers).not.toHaveProperty('trace');
    const restored = opener.open(text(a.headers!), a.value as Buffer);
    expect(JSON.parse(restored.value!.toString())).toEqual({ email: EMAIL });
    expect(restored.key!.toString()).toBe('user-a');
    expect(restored.headers.trace!.toString()).toBe('abc');
    expect(() => opener.open(text(b.headers!), a.value as Buffer)).toThrow(/fails authentication/);
    expect(() => opener.open({ ...text(a.headers!), [DLQ_HEADER.reason]: 'edited' }, a.value as Buffer)).toThrow(/fails authentication/);
    expect(a.headers![DLQ_SEALED_HEADER.encryption]).toBe('aes-256-gcm/v1');
  });

  it('encrypt: required refuses to start without a master key; without a key and auto, records stay clear and inspect says so', async () => {
    await expect(deadLettersOf({}, 'deadLetter: { encrypt: required }\n')).rejects.toThrow(ConfigError);
    await expect(deadLettersOf({}, 'deadLetter: { encrypt: required }\n')).rejects.toThrow(/deadLetter\.encrypt: required, but no master key/);
    const { file } = await deadLettersOf({});
    const inspected = await cli(['inspect', file], {});
    expect(inspected.stderr).toMatch(/3 record\(s\) are not encrypted/);
    expect(readFileSync(file, 'utf8')).toContain(EMAIL);
  });
});
