// Fault: the dead-letter path runs out of room (a file size limit, `ulimit -f`, on the engine's
// process: writes fail with EFBIG as on a full disk). The engine must stop with a clear error that
// says how far the input is safely done, never drop an event: everything up to that line is in an
// output or the dead-letter file, whole; a rerun from the next line delivers the rest.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDeadLetterFile, restore } from '../../src/pipeline/dead-letter-records.js';
import { DeadLetterOpener } from '../../src/pipeline/dead-letter-seal.js';
import { Keyring } from '../../src/storage/crypto/master-keys.js';
import { requireBuild, ROOT } from '../cli/helpers.js';
import { policyYaml, sampleEvent, tempDir, writeConfig } from '../pipeline/helpers.js';

const LINES = 2_000;
// In 1024-byte blocks: room for a few hundred dead letters, far less than the input holds.
const LIMIT_BLOCKS = 400;

const isBad = (line: number) => line % 2 === 0;
function inputLine(line: number): string {
  // Every other line cannot be parsed, and carries a large blob: the dead-letter file fills first.
  return isBad(line)
    ? `{"type":"track","event":"bad ${line}","properties":{"blob":"${'z'.repeat(1500)}"`
    : JSON.stringify(sampleEvent({ messageId: `m-${line}` }));
}

// Not spawnSync: a two-minute blocking call would stall this worker past vitest's RPC timeout.
function runEngine(
  config: string,
  input: string,
  out: string,
  env: NodeJS.ProcessEnv,
  limitBlocks?: number,
): Promise<{ status: number | null; stderr: string; stdout: string; ms: number }> {
  const cmd = `${limitBlocks ? `ulimit -f ${limitBlocks}; ` : ''}exec "${process.execPath}" bin/segmentloom.js run --config "${config}" --input "${input}" --out "${out}" --json`;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', cmd], { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, stdout, ms: Date.now() - started });
    });
  });
}

async function deadLetterLines(file: string, opener: DeadLetterOpener): Promise<number[]> {
  const lines: number[] = [];
  for await (const record of readDeadLetterFile(file)) {
    const original = restore(record, opener);
    lines.push(Number(/"bad (\d+)"/.exec(original.value!.toString())![1]));
  }
  return lines;
}

const warehouseLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number((JSON.parse(l) as { messageId: string }).messageId.slice(2)));

describe('dead-letter path out of space', () => {
  it('stops with a clear error naming how far the input is done, loses nothing, and a rerun from there completes', async () => {
    requireBuild();
    const dir = tempDir('sl-fault-dlq-full-');
    const keys = `1:${randomBytes(32).toString('base64')}`;
    const env = { SEGMENTLOOM_MASTER_KEYS: keys };
    const opener = new DeadLetterOpener(Keyring.parse(keys));
    const { file: config } = await writeConfig(`${policyYaml({ warehouse: 'wh', analytics: 'an', ads: 'ads' })}\nbatch: { size: 50 }\n`, dir);
    const all = Array.from({ length: LINES }, (_, i) => inputLine(i + 1));
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, `${all.join('\n')}\n`);

    // The run that hits the limit.
    const full = await runEngine(config, input, join(dir, 'out-1'), env, LIMIT_BLOCKS);
    expect(full.status, full.stderr).toBe(70);
    const match =
      /cannot write \S*dead-letter\.ndjson: file size limit reached; nothing written was committed; input committed through line (\d+) of \S+; rerun from line (\d+)/.exec(
        full.stderr,
      );
    expect(match, full.stderr).not.toBeNull();
    const committed = Number(match![1]);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(LINES);
    // Raw event content never reaches the error output.
    expect(full.stderr).not.toMatch(/zzzz|bad \d+/);

    // Everything up to the committed line is where it belongs, the dead-letter file whole.
    const dead1 = await deadLetterLines(join(dir, 'out-1/dead-letter.ndjson'), opener);
    const wh1 = warehouseLines(join(dir, 'out-1/warehouse.ndjson'));
    for (let line = 1; line <= committed; line++) {
      if (isBad(line)) expect(dead1.includes(line), `dead letter of line ${line}`).toBe(true);
      else expect(wh1.includes(line), `warehouse event of line ${line}`).toBe(true);
    }

    // Recovery: the operator frees space and reruns from the line the error names.
    const rest = join(dir, 'rest.ndjson');
    writeFileSync(rest, `${all.slice(committed).join('\n')}\n`);
    const rerun = await runEngine(config, rest, join(dir, 'out-2'), env);
    expect(rerun.status, rerun.stderr).toBe(0);
    const dead2 = await deadLetterLines(join(dir, 'out-2/dead-letter.ndjson'), opener);
    const wh2 = warehouseLines(join(dir, 'out-2/warehouse.ndjson'));
    const deadAll = [...dead1, ...dead2];
    const whAll = [...wh1, ...wh2];
    const bad = all.map((_, i) => i + 1).filter(isBad);
    const good = all.map((_, i) => i + 1).filter((l) => !isBad(l));
    const lost = bad.filter((l) => !deadAll.includes(l)).length + good.filter((l) => !whAll.includes(l)).length;
    const duplicates = deadAll.length - new Set(deadAll).size + (whAll.length - new Set(whAll).size);
    const figures = {
      eventsProduced: LINES,
      committedAtFailure: committed,
      delivered: { warehouse: new Set(whAll).size, deadLetter: new Set(deadAll).size },
      duplicates,
      lost,
      recoverMs: rerun.ms,
    };
    console.log(`[fault] dead-letter-disk-full ${JSON.stringify(figures)}`);
    expect(lost).toBe(0);
    expect(new Set(whAll).size).toBe(good.length);
    expect(new Set(deadAll).size).toBe(bad.length);
  });
});
