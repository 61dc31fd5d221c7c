import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { BUILTIN_CLASSIFIERS_DIR } from '../detect/index.js';
import { policyConfigSchema, type PolicyConfig } from '../policy/index.js';
import { substituteEnv, type Environment } from '../core/env.js';
import { ENGINE_KEYS, engineSectionsSchema, type EngineSections } from './schema.js';
import { ConfigError } from '../core/errors-config.js';
import { didYouMean } from '../core/suggest.js';
import { zodIssues } from '../core/zod-issues.js';

export type { EngineSections, KafkaConfig, DecodingConfig, BatchConfig, StorageConfig } from './schema.js';

export type { PolicyConfig };

/** A loaded engine config: every path absolute, the policy sections validated by the policy engine's schema. */
export interface EngineConfig extends Omit<EngineSections, 'policyFile'> {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of the separate policy file, when the policy sections live there. */
  policyFile: string | null;
  policy: PolicyConfig;
}

/** Where the classifiers shipped with Segmentloom live (`builtin` in the `classifiers` list). */
export const BUILTIN_CLASSIFIERS = BUILTIN_CLASSIFIERS_DIR.replace(/\/$/, '');

/**
 * Reads, substitutes `${ENV}` references in, and validates an engine config file. Throws
 * ConfigError whose message names the file, the field and (when known) the line.
 */
export async function loadEngineConfig(file: string, env: Environment = process.env): Promise<EngineConfig> {
  const path = resolve(file);
  const main = await readYaml(path);
  const raw = substituteEnv(main.value, env, path);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${path}: (root): expected a YAML mapping`, path, '(root)');
  }
  const record = raw as Record<string, unknown>;
  const engineRaw: Record<string, unknown> = {};
  let policyRaw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (ENGINE_KEYS.has(key)) engineRaw[key] = value;
    else policyRaw[key] = value;
  }
  checkUnknownKeys(policyRaw, path, main);

  const parsed = engineSectionsSchema.safeParse(engineRaw);
  if (!parsed.success) throw zodError(path, parsed.error, main, engineSectionsSchema, engineRaw);
  const sections = parsed.data;
  const base = dirname(path);

  let policyFile: string | null = null;
  let policySource = main;
  if (sections.policyFile !== undefined) {
    policyFile = resolveFrom(base, sections.policyFile);
    if (Object.keys(policyRaw).length > 0) {
      const field = Object.keys(policyRaw)[0]!;
      throw new ConfigError(`${path}: ${field}: policy sections go in policyFile (${policyFile}) when it is set, not in both`, path, field);
    }
    policySource = await readYaml(policyFile);
    const fromFile = substituteEnv(policySource.value ?? {}, env, policyFile);
    if (fromFile === null || typeof fromFile !== 'object' || Array.isArray(fromFile)) {
      throw new ConfigError(`${policyFile}: (root): expected a YAML mapping`, policyFile, '(root)');
    }
    policyRaw = fromFile as Record<string, unknown>;
    checkUnknownKeys(policyRaw, policyFile, policySource);
  }
  const policy = policyConfigSchema.safeParse(policyRaw);
  if (!policy.success) throw zodError(policyFile ?? path, policy.error, policySource, policyConfigSchema, policyRaw);

  return {
    ...sections,
    file: path,
    policyFile,
    policy: policy.data,
    classifiers: sections.classifiers.map((dir) => (dir === 'builtin' ? BUILTIN_CLASSIFIERS : resolveFrom(base, dir))),
    files: sections.files && {
      input: sections.files.input === undefined || sections.files.input === '-' ? sections.files.input : resolveFrom(base, sections.files.input),
      outDir: resolveFrom(base, sections.files.outDir),
    },
    ingest: sections.ingest && {
      ...sections.ingest,
      tls: sections.ingest.tls && { certFile: resolveFrom(base, sections.ingest.tls.certFile), keyFile: resolveFrom(base, sections.ingest.tls.keyFile) },
    },
    storage: sections.storage && {
      ...sections.storage,
      dataDir: sections.storage.dataDir === undefined ? undefined : resolveFrom(base, sections.storage.dataDir),
    },
    alerts: sections.alerts && {
      ...sections.alerts,
      channels: sections.alerts.channels.map((c) => (c.caFile === undefined ? c : { ...c, caFile: resolveFrom(base, c.caFile) })),
    },
    kafka: sections.kafka && {
      ...sections.kafka,
      ssl:
        typeof sections.kafka.ssl === 'boolean'
          ? sections.kafka.ssl
          : {
              ...sections.kafka.ssl,
              caFile: sections.kafka.ssl.caFile && resolveFrom(base, sections.kafka.ssl.caFile),
              certFile: sections.kafka.ssl.certFile && resolveFrom(base, sections.kafka.ssl.certFile),
              keyFile: sections.kafka.ssl.keyFile && resolveFrom(base, sections.kafka.ssl.keyFile),
            },
    },
  };
}

/** The topic → source-name map of a config (a topic without its own `source` uses the default). */
export function topicSources(config: EngineConfig): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of config.kafka?.topics ?? []) {
    if (typeof entry === 'string') map.set(entry, config.source);
    else map.set(entry.topic, entry.source ?? config.source);
  }
  return map;
}

interface YamlSource {
  value: unknown;
  doc: Document;
  lines: LineCounter;
}

async function readYaml(path: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${path}: cannot read the file (${code})`, path);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const at = lines.linePos(first.pos[0]);
    // yaml's messages can quote the offending source text; keep the error code and position only.
    throw new ConfigError(`${path}:${at.line}:${at.col}: invalid YAML (${first.code})`, path);
  }
  return { value: doc.toJS({ maxAliasCount: 100 }) ?? {}, doc, lines };
}

/** Top-level keys that neither the engine nor the policy engine knows are typos: name them. */
function checkUnknownKeys(policyRaw: Record<string, unknown>, file: string, source: YamlSource): void {
  const shape = (policyConfigSchema as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape === undefined) return;
  for (const key of Object.keys(policyRaw)) {
    if (!(key in shape)) {
      const known = [...ENGINE_KEYS, ...Object.keys(shape)].sort();
      const hint = didYouMean(key, known);
      throw new ConfigError(`${file}: ${key}: unknown field${lineOf(source, [key])}${hint === '' ? ` (known: ${known.join(', ')})` : hint}`, file, key);
    }
  }
}

function zodError(file: string, error: z.ZodError, source: YamlSource, schema?: z.ZodType, input?: unknown): ConfigError {
  // The one safe formatter (never a value), with the line of each field in the file.
  const issues = zodIssues(error, { ...(schema ? { schema } : {}), input }).map((issue) => ({
    ...issue,
    message: `${issue.message}${lineOf(source, (issue.path ?? []) as (string | number)[])}`,
  }));
  return ConfigError.fromIssues(file, issues);
}

/** ` (line N)` of the deepest existing key on `path` (the key's line, not its value's), or ''. */
function lineOf(source: YamlSource, path: (string | number)[]): string {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? source.doc.contents : source.doc.getIn(path.slice(0, depth - 1), true);
    const last = path[depth - 1];
    let range: [number, number, number] | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    } else if (isSeq(parent) && typeof last === 'number') {
      range = (parent.items[last] as { range?: [number, number, number] } | undefined)?.range;
    }
    if (range) return ` (line ${source.lines.linePos(range[0]).line})`;
  }
  return '';
}

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
