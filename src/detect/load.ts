import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/errors.js';
import { classifierListSchema, classifierSchema, type ClassifierDefinition } from './classifier-schema.js';
import { compileClassifier, type CompiledClassifier } from './compile.js';

/** The classifiers shipped with Segmentloom (`classifiers/` at the package root). */
export const BUILTIN_CLASSIFIERS_DIR = fileURLToPath(new URL('../../classifiers/', import.meta.url));

export interface ClassifierSet {
  readonly classifiers: readonly CompiledClassifier[];
  /** Files read, in order (for reload watching and messages). */
  readonly files: readonly string[];
}

/**
 * Loads every `*.yaml`/`*.yml` file of the given directories (in order). A later directory may
 * redefine an id from an earlier one (a team's override of a built-in); the same id twice in one
 * directory is an error. Any problem throws a ConfigError naming the file and field: the engine
 * never runs half-configured.
 */
export async function loadClassifierSet(dirs: readonly string[] = [BUILTIN_CLASSIFIERS_DIR]): Promise<ClassifierSet> {
  const byId = new Map<string, { classifier: CompiledClassifier; dir: string }>();
  const files: string[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
    } catch (err) {
      throw new ConfigError(`classifier directory ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message}`, dir);
    }
    for (const name of entries) {
      const file = path.join(dir, name);
      files.push(file);
      for (const classifier of parseClassifierFile(file, await readFile(file, 'utf8'))) {
        const existing = byId.get(classifier.id);
        if (existing !== undefined && existing.dir === dir) {
          throw new ConfigError(`${file}: id: "${classifier.id}" is already defined in ${existing.classifier.file}`, file, 'id');
        }
        byId.set(classifier.id, { classifier, dir });
      }
    }
  }
  const classifiers = [...byId.values()].map((entry) => entry.classifier).filter((c) => c.enabled);
  if (classifiers.length === 0) throw new ConfigError(`no enabled classifiers found in ${dirs.join(', ')}`);
  return { classifiers, files };
}

/** Parses and compiles one classifier file's text. Exported for `classifiers test` and tests. */
export function parseClassifierFile(file: string, text: string): CompiledClassifier[] {
  const raw = readYaml(file, text);
  // Pick the shape first so errors name the real field, not "(root): invalid input".
  const isList = raw !== null && typeof raw === 'object' && 'classifiers' in raw;
  let definitions: ClassifierDefinition[];
  if (isList) {
    const parsed = classifierListSchema.safeParse(raw);
    if (!parsed.success) throw ConfigError.fromZod(file, parsed.error, [], { schema: classifierListSchema, input: raw });
    definitions = parsed.data.classifiers;
  } else {
    const parsed = classifierSchema.safeParse(raw);
    if (!parsed.success) throw ConfigError.fromZod(file, parsed.error, [], { schema: classifierSchema, input: raw });
    definitions = [parsed.data];
  }
  return definitions.map((definition, i) => {
    const prefix = isList ? `classifiers[${i}].` : '';
    return compileClassifier(definition, file, prefix);
  });
}

/**
 * The YAML document of a classifier file as plain data. Parsing YAML is most of what loading the
 * classifier set costs (and the yaml module's own loading): a command that starts often (`scan`)
 * reads the parsed document from a cache keyed by the SHA-256 of the file's text, so only an
 * edited file is parsed again. The document is still validated and compiled on every load; the
 * cache holds nothing but what the text says. Cache directory: SEGMENTLOOM_CACHE_DIR, else the
 * user's cache directory; SEGMENTLOOM_CACHE_DIR=off disables it. Any cache error falls back to
 * parsing.
 */
function readYaml(file: string, text: string): unknown {
  const dir = cacheDir();
  const cached = dir === null ? null : path.join(dir, `${createHash('sha256').update(text).digest('hex')}.json`);
  if (cached !== null) {
    try {
      return JSON.parse(readFileSync(cached, 'utf8')).document as unknown;
    } catch {
      // Not cached yet (or unreadable): parsed below.
    }
  }
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = first.linePos?.[0];
    throw new ConfigError(`${file}${line ? `:${line.line}:${line.col}` : ''}: invalid YAML: ${first.message.split('\n')[0]}`, file);
  }
  let raw: unknown;
  try {
    // Unresolved or excessive aliases surface only here.
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`, file);
  }
  if (cached !== null && dir !== null) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Written aside and renamed: a concurrent reader never sees half a file.
      const temp = `${cached}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ document: raw }), { mode: 0o600 });
      renameSync(temp, cached);
    } catch {
      // A read-only or full disk: the cache is an optimisation only.
    }
  }
  return raw;
}

const require = createRequire(import.meta.url);

function cacheDir(): string | null {
  const configured = process.env.SEGMENTLOOM_CACHE_DIR;
  if (configured === 'off') return null;
  if (configured !== undefined && configured !== '') return path.join(configured, 'classifiers-v1');
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : null);
  return base === null ? null : path.join(base, 'segmentloom', 'classifiers-v1');
}
