import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ConfigError } from '../config/errors.js';
import { classifierListSchema, classifierSchema, type ClassifierDefinition } from './classifier-schema.js';
import { compileClassifier, type CompiledClassifier } from './compile.js';

/**
 * Reading classifier YAML: parse, validate (zod), compile. Kept apart from load.ts so a start on
 * the built-in set with a fresh cache (see builtin-cache.ts) loads neither yaml nor zod.
 */

// yaml is loaded on the first file read: the detect index re-exports this module, and a start on
// the built-in set (the classifier cache) reads no YAML at all.
const require = createRequire(import.meta.url);
let yaml: typeof Yaml | null = null;

/** One validated definition of a file, and the field prefix its messages use (`classifiers[i].`). */
export interface FileDefinition {
  definition: ClassifierDefinition;
  prefix: string;
}

/** Parses and compiles one classifier file's text. Exported for `classifiers test` and tests. */
export function parseClassifierFile(file: string, text: string): CompiledClassifier[] {
  return parseClassifierDefinitions(file, text).map(({ definition, prefix }) => compileClassifier(definition, file, prefix));
}

/** Parses and validates one classifier file's text (no compiling). */
export function parseClassifierDefinitions(file: string, text: string): FileDefinition[] {
  yaml ??= require('yaml') as typeof Yaml;
  const document = yaml.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
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
  return definitions.map((definition, i) => ({ definition, prefix: isList ? `classifiers[${i}].` : '' }));
}
