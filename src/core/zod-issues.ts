import type { z } from 'zod';
import { didYouMean } from './suggest.js';

/**
 * The one formatter of zod issues (config files, policy and classifier documents, API input,
 * events). Its messages never quote a received value (a config secret, an event value, a request
 * body): only the field and what was expected. Unknown keys are reported as unknown fields, first
 * and with a "did you mean" when a known field is close, so a misspelt `clasification` is not
 * reported as a missing `classification` alone; enums list every allowed value.
 */

export interface Issue {
  /**
   * `a.b[0].c`, with the caller's prefix; `(root)` for the whole document. For an unknown field,
   * the object holding it (the message names the key).
   */
  field: string;
  /** What is wrong, never the value. */
  message: string;
  /** The issue's path in the validated value (without the prefix), when it came from zod. */
  path?: readonly PropertyKey[];
}

export interface FormatOptions {
  /** Where the validated value sits in a larger document (`privacy`, `alerts`, `ingest`). */
  prefix?: string | readonly PropertyKey[];
  /** The schema that produced the issues: gives the known fields for "did you mean". */
  schema?: z.ZodType;
  /** The validated input: tells a missing field ("required") from a wrong one. Never quoted. */
  input?: unknown;
}

/** `a.b[0].c`; `(root)` for an empty path. */
export function formatField(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

/** A field name `field` under `prefix` (`privacy` + `hashing.keys[0]` → `privacy.hashing.keys[0]`). */
export function joinField(prefix: string, field: string): string {
  if (prefix === '' || prefix === '(root)') return field;
  if (field === '(root)') return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}

/** Every issue of `error`, unknown fields first, each with its field and a safe message. */
export function zodIssues(error: z.ZodError, options: FormatOptions = {}): Issue[] {
  const prefix = typeof options.prefix === 'string' || options.prefix === undefined ? splitPrefix(options.prefix ?? '') : options.prefix;
  const unknown: Issue[] = [];
  const rest: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = options.schema === undefined ? [] : knownKeys(options.schema, issue.path);
      for (const key of issue.keys)
        unknown.push({ field: formatField([...prefix, ...issue.path]), message: unknownFieldMessage(key, known), path: issue.path });
      continue;
    }
    const missing = options.input !== undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value') && !has(options.input, issue.path);
    rest.push({
      field: formatField([...prefix, ...issue.path]),
      message: missing ? `required (${expectation(issue)})` : safeIssueMessage(issue),
      path: issue.path,
    });
  }
  return [...unknown, ...rest];
}

/** The first issue (unknown fields first) and, after it, every other one: for one-line answers. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
}

/** `unknown field "clasification" (did you mean "classification"?)`. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  return `unknown field ${JSON.stringify(key)}${didYouMean(key, known)}`;
}

/**
 * A zod issue as text that never quotes the received value: only what was expected. Our own
 * messages (custom refinements, formats with an explanation) are written never to include it.
 */
export function safeIssueMessage(issue: z.core.$ZodIssue): string {
  // A message given in a schema (`.min(16, 'must be at least 16 characters')`) is ours, written
  // without the value; zod's defaults are replaced by the texts below.
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_value' && !ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string' || issue.origin === 'set') {
        return Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `must have at least ${String(issue.minimum)} ${issue.origin === 'string' ? 'characters' : 'items'}`;
      }
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'string' || issue.origin === 'set')
        return `must have at most ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'}`;
      return `must be at most ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return issue.keys.map((k) => unknownFieldMessage(k, [])).join(', ');
    case 'invalid_format':
    case 'custom':
      // Our own messages (regex explanations, refinements) and zod's format names: never the value.
      return issue.message;
    case 'invalid_union':
      return 'matches none of the allowed forms';
    default:
      return issue.code.replace(/_/g, ' ');
  }
}

/** zod's own message texts (they may describe the received value's type; never used as they are). */
const ZOD_DEFAULT = /^(Too (small|big)|Invalid|Unrecognized|Expected)/;

function expectation(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && ZOD_DEFAULT.test(issue.message) ? `expected ${issue.expected}` : safeIssueMessage(issue);
}

function splitPrefix(prefix: string): PropertyKey[] {
  if (prefix === '') return [];
  const parts: PropertyKey[] = [];
  for (const match of prefix.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(match[2] === undefined ? match[1]! : Number(match[2]));
  return parts;
}

function has(input: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = input;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return false;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node !== undefined;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

/** The keys an object schema at `path` of `schema` knows (through optional, default, pipe, arrays, unions). */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const out = new Set<string>();
  collect(schema, path, out, 0);
  return [...out];
}

function collect(schema: z.ZodType | undefined, path: readonly PropertyKey[], out: Set<string>, depth: number): void {
  if (schema === undefined || depth > 64) return;
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return collect(def.innerType, path, out, depth + 1);
    case 'pipe':
      return collect(def.in, path, out, depth + 1);
    case 'lazy':
      return collect(def.getter?.(), path, out, depth + 1);
    case 'union':
      for (const option of def.options ?? []) collect(option, path, out, depth + 1);
      return;
    case 'intersection':
      collect(def.left, path, out, depth + 1);
      collect(def.right, path, out, depth + 1);
      return;
    case 'array':
      if (typeof path[0] === 'number') collect(def.element, path.slice(1), out, depth + 1);
      return;
    case 'record':
      if (path.length > 0) collect(def.valueType, path.slice(1), out, depth + 1);
      return;
    case 'object':
      if (path.length === 0) for (const key of Object.keys(def.shape ?? {})) out.add(key);
      else collect(def.shape?.[String(path[0])], path.slice(1), out, depth + 1);
      return;
    default:
      return;
  }
}
