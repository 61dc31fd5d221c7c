import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
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
