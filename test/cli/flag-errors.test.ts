// Flag errors of run, serve, doctor, ingest, keys, dlq and master-keys through the real binary: these commands are
// defined on the CLI registry (src/cli/registry.ts) like every other, so a wrong flag, a missing
// value, a stray argument or a mistyped subcommand reads the same way and exits 2, and --help
// prints the command's own text with exit 0.
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, segmentloomAsync } from './helpers.js';

const NODE_TEXT = /Unknown option|To specify a positional|argument missing|ERR_PARSE_ARGS/;

describe('flag errors of run, serve, doctor, ingest, keys, dlq and master-keys', () => {
  beforeAll(() => requireBuild());

  it.each([
    ['run', ['run', '--confg', 'engine.yaml'], 'segmentloom run: unknown flag --confg (did you mean --config?)\n'],
    ['serve', ['serve', '--prot', '8080'], 'segmentloom serve: unknown flag --prot (did you mean --port?)\n'],
    ['doctor', ['doctor', '--jsn'], 'segmentloom doctor: unknown flag --jsn (did you mean --json?)\n'],
    ['ingest', ['ingest', 'keys', 'list', '--fromat', 'json'], 'segmentloom ingest: unknown flag --fromat (did you mean --format?)\n'],
    ['keys', ['keys', 'create', '--rol', 'owner'], 'segmentloom keys: unknown flag --rol (did you mean --role?)\n'],
    ['dlq', ['dlq', 'inspect', '--topik', 't'], 'segmentloom dlq: unknown flag --topik (did you mean --topic?)\n'],
    ['master-keys', ['master-keys', 'rotate', '--batch-sise', '10'], 'segmentloom master-keys: unknown flag --batch-sise (did you mean --batch-size?)\n'],
  ])('%s: an unknown flag gets a did-you-mean, exit 2', async (_name, args, stderr) => {
    const r = await segmentloomAsync(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['run', ['run', '--config'], 'segmentloom run: --config needs a value (--config VALUE)\n'],
    ['serve', ['serve', '--port'], 'segmentloom serve: --port needs a value (--port VALUE)\n'],
    ['doctor', ['doctor', '--config'], 'segmentloom doctor: --config needs a value (--config VALUE)\n'],
    ['ingest', ['ingest', 'serve', '--config'], 'segmentloom ingest: --config needs a value (--config VALUE)\n'],
  ])('%s: a flag without its value says so, exit 2', async (_name, args, stderr) => {
    const r = await segmentloomAsync(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(stderr);
  });

  it('doctor: a boolean flag given a value is refused without repeating it', async () => {
    const r = await segmentloomAsync(['doctor', '--json=jane.doe@example.com']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('segmentloom doctor: --json takes no value\n');
    expect(r.stderr).not.toMatch(NODE_TEXT);
  });

  it('never repeats the value given with an unknown flag', async () => {
    const r = await segmentloomAsync(['serve', '--email=jane.doe@example.com']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('segmentloom serve: unknown flag --email (see --help)\n');
    expect(r.stderr).not.toMatch(NODE_TEXT);
  });

  it.each([['run'], ['serve'], ['doctor']])('%s takes flags only: a stray argument is a usage error', async (name) => {
    const r = await segmentloomAsync([name, 'stray']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`segmentloom ${name}: unexpected argument: this command takes flags only (see --help)\n`);
  });

  it('ingest: a mistyped subcommand gets a did-you-mean; none prints the help, exit 2', async () => {
    const typo = await segmentloomAsync(['ingest', 'serv']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe('segmentloom ingest: unknown ingest command "serv" (did you mean "serve"?)\n');
    const none = await segmentloomAsync(['ingest']);
    expect(none.status).toBe(2);
    expect(none.stdout).toMatch(/^Usage: segmentloom ingest <command> \[options\]/);
  });

  it.each([
    ['dlq', ['dlq', 'inspct', 'x.ndjson'], 'segmentloom dlq: unknown dlq command "inspct" (did you mean "inspect"?)\n'],
    ['master-keys', ['master-keys', 'rotat'], 'segmentloom master-keys: unknown master-keys command "rotat" (did you mean "rotate"?)\n'],
    ['master-keys', ['master-keys', 'status', 'stray'], 'segmentloom master-keys: usage: segmentloom master-keys <status | rotate> [--batch-size N]\n'],
  ])('%s: a mistyped subcommand or stray argument is a usage error, exit 2', async (_name, args, stderr) => {
    const r = await segmentloomAsync(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['run', /^Usage: segmentloom run --config FILE \[--input FILE\|-\] \[--out DIR\]\n/],
    ['serve', /^Usage: segmentloom serve --config FILE \[--port N\]/],
    ['doctor', /^Usage: segmentloom doctor --config FILE \[--api URL\]/],
    ['ingest', /^Usage: segmentloom ingest <command> \[options\]/],
    ['keys', /^Usage: segmentloom keys <command> \[options\]/],
    ['dlq', /^Usage: segmentloom dlq inspect \(FILE… \| --config FILE \[--topic TOPIC\]\)/],
    ['master-keys', /^Usage: segmentloom master-keys <status \| rotate> \[--batch-size N\]/],
    ['scan', /^Usage: segmentloom scan \[FILE\|-\]\.\.\. \[options\]/],
  ])('%s --help prints its own help, exit 0', async (name, help) => {
    const r = await segmentloomAsync([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(help);
    expect(r.stderr).toBe('');
  });
});
