import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';

/** Writes a config file (in a fresh temp dir unless `dir` is given) and returns its path. */
export function write(text: string, name = 'engine.yaml', dir = mkdtempSync(join(tmpdir(), 'sl-config-'))): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The ConfigError a promise rejects with (fails the test if it resolves or rejects otherwise). */
export async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}
