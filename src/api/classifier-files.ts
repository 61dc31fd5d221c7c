import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../config/errors.js';
import { parseClassifierFile, type CompiledClassifier } from '../detect/index.js';
import type { ApiContext } from './context.js';
import { ApiError, badRequest, conflict } from './errors.js';
import { parseBounded, rejectDeep } from './document-limits.js';

/**
 * Classifier files as the engine sees them: every directory in load order, later ids winning.
 * Parses are cached per file (`ctx.classifierFiles`) and reused only while the file is unchanged on
 * disk (see file-cache.ts): the privacy team edits these directories directly, too.
 */

export interface ClassifierEntry {
  classifier: CompiledClassifier;
  dir: string;
  file: string;
  origin: 'builtin' | 'custom';
  overridden: boolean;
  /** The text of `file` this entry was parsed from (so a response never pairs one version's summary with another's text). */
  content: string;
}

/** What reading and validating classifier files needs of the API's context (the CLI builds one from a config). */
export type ClassifierFilesContext = Pick<ApiContext, 'classifierDirs' | 'builtinDirs' | 'customClassifierDir' | 'classifierFiles'>;

async function yamlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** A broken file on disk is not the caller's fault, but naming it is the useful answer. */
function parseOnDisk(file: string, text: string): CompiledClassifier[] {
  try {
    return parseClassifierFile(file, text);
  } catch (err) {
    if (err instanceof ConfigError) throw new ApiError(409, 'config_invalid', `a classifier file on disk is invalid: ${err.message}`);
    throw err;
  }
}

/** The file's text and classifiers (cached while unchanged), or null when it has gone. */
function loadFile(ctx: ClassifierFilesContext, file: string) {
  return ctx.classifierFiles.get(file, parseOnDisk);
}

export async function readClassifiers(ctx: ClassifierFilesContext): Promise<ClassifierEntry[]> {
  const entries: ClassifierEntry[] = [];
  const present = new Set<string>();
  for (const dir of ctx.classifierDirs) {
    for (const name of await yamlFiles(dir)) {
      const file = join(dir, name);
      const loaded = await loadFile(ctx, file);
      if (loaded === null) continue;
      present.add(file);
      for (const classifier of loaded.parsed) {
        for (const earlier of entries) if (earlier.classifier.id === classifier.id) earlier.overridden = true;
        entries.push({ classifier, dir, file, origin: ctx.builtinDirs.has(dir) ? 'builtin' : 'custom', overridden: false, content: loaded.text });
      }
    }
  }
  ctx.classifierFiles.retain(present);
  return entries;
}

export function summary(entry: ClassifierEntry) {
  const c = entry.classifier;
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    category: c.category,
    classification: c.classification,
    enabled: c.enabled,
    priority: c.priority,
    origin: entry.origin,
    file: basename(entry.file),
    overridden: entry.overridden,
  };
}

/** The definition in force for an id (the last directory's), or null. */
export async function findClassifier(ctx: ClassifierFilesContext, id: string): Promise<ClassifierEntry | null> {
  return (await readClassifiers(ctx)).filter((e) => e.classifier.id === id && !e.overridden).pop() ?? null;
}

export function customDir(ctx: ClassifierFilesContext): string {
  if (ctx.customClassifierDir === null) {
    throw conflict(
      'no_custom_classifier_dir',
      'no custom classifier directory: list one after builtin in the config `classifiers`, or start serve with --classifier-dir',
    );
  }
  return ctx.customClassifierDir;
}

/**
 * Validates a submitted classifier with the engine's own loader, as the file it will become, and
 * returns the text to write (JSON submissions are written as the equivalent YAML).
 */
export async function validateClassifier(
  ctx: ClassifierFilesContext,
  id: string,
  body: string,
  contentType: string | undefined,
): Promise<{ content: string; classifier: CompiledClassifier; file: string }> {
  const dir = customDir(ctx);
  const file = join(dir, `${id}.yaml`);
  let content = body;
  if (isJson(contentType)) {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw badRequest('body', 'not valid JSON');
    }
    rejectDeep(raw);
    content = stringify(raw);
  }
  let compiled: CompiledClassifier[];
  try {
    compiled = parseBounded(() => parseClassifierFile(`${id}.yaml`, content), 'the body');
  } catch (err) {
    if (err instanceof ConfigError) throw new ApiError(400, 'invalid_classifier', err.field ? err.message : `body: ${err.message}`, err.field ?? 'body');
    throw err;
  }
  if (compiled.length !== 1) throw badRequest('classifiers', 'a classifier written through the API is one classifier per file, not a list');
  const classifier = compiled[0]!;
  if (classifier.id !== id) throw badRequest('id', `must equal the id in the URL (${id})`);
  // The engine refuses a directory defining an id twice: check the other files of the directory now.
  for (const name of await yamlFiles(dir)) {
    if (name === `${id}.yaml`) continue;
    const other = await loadFile(ctx, join(dir, name));
    if (other?.parsed.some((c) => c.id === id)) {
      throw conflict('duplicate_classifier', `classifier ${id} is also defined in ${name} of the same directory; change it there`, 'id');
    }
  }
  return { content, classifier, file };
}

export function isJson(contentType: string | undefined): boolean {
  return /^application\/(.+\+)?json\b/i.test(contentType ?? '');
}
