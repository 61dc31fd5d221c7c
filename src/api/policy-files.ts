import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { hasEnvReference } from '../core/env.js';
import { ENGINE_KEYS } from '../config/schema.js';
import { formatField } from '../config/errors.js';
import { parsePolicyConfig, PolicyConfigError, type PolicyConfig } from '../policy/index.js';
import { sha256 } from './config-versions.js';
import type { ApiContext } from './context.js';
import { parseBounded, rejectDeep } from './document-limits.js';
import { kafkaTopicProblem, referencedNames, refusedReference, type ReferenceUse } from './env-allow.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { isJson } from './classifier-files.js';

/**
 * The policy file through the API. Hashing secrets are the one secret a policy document can hold:
 * documents shown are redacted, and documents submitted must reference secrets as `${ENV_VAR}`
 * (the API keeps every version in the database and shows them; a literal secret would spread).
 */

const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
export const REDACTED = '[redacted]';

/** `onDisk`: a broken file on disk is a conflict to fix there, not the caller's bad input. */
function parseYaml(text: string, what: string, onDisk = false): unknown {
  const doc = parseBounded(() => parseDocument(text, { uniqueKeys: true, prettyErrors: false }), what);
  // The parser's messages can quote the source (possibly a secret): report the error code only.
  if (doc.errors.length > 0) {
    const message = `${what} is not valid YAML (${doc.errors[0]!.code})`;
    throw onDisk ? new ApiError(409, 'config_invalid', message) : badRequest('body', message);
  }
  return parseBounded(() => doc.toJS({ maxAliasCount: 100 }), what) ?? {};
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Replaces every hashing secret that is not an `${ENV_VAR}` reference. */
export function redactPolicy(document: Record<string, unknown>): Record<string, unknown> {
  const hashing = document.hashing;
  if (!isMapping(hashing) || !Array.isArray(hashing.keys)) return document;
  const keys = hashing.keys.map((key: unknown) =>
    isMapping(key) && 'secret' in key && !(typeof key.secret === 'string' && ENV_REFERENCE.test(key.secret)) ? { ...key, secret: REDACTED } : key,
  );
  return { ...document, hashing: { ...hashing, keys } };
}

export interface CurrentPolicy {
  file: string | null;
  inline: boolean;
  sha256: string | null;
  document: Record<string, unknown>;
}

/** The policy in force on disk: the policy file, else the policy sections inline in the engine config. */
export async function readPolicy(ctx: Pick<ApiContext, 'policyFile' | 'configFile'>): Promise<CurrentPolicy> {
  if (ctx.policyFile !== null) {
    const text = await readFile(ctx.policyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    const document = text === null ? {} : parseYaml(text, 'the policy file on disk', true);
    return {
      file: basename(ctx.policyFile),
      inline: false,
      sha256: text === null ? null : sha256(text),
      document: redactPolicy(isMapping(document) ? document : {}),
    };
  }
  if (ctx.configFile === null) throw notFound('policy configuration');
  const text = await readFile(ctx.configFile, 'utf8');
  const config = parseYaml(text, 'the engine config', true);
  // Only the policy sections: the engine sections hold Kafka credentials, alerts hold webhook URLs.
  const policy = Object.fromEntries(Object.entries(isMapping(config) ? config : {}).filter(([key]) => !ENGINE_KEYS.has(key) && key !== 'alerts'));
  return { file: null, inline: true, sha256: null, document: redactPolicy(policy) };
}

const REFERENCE_ALLOWED: Array<[RegExp, ReferenceUse]> = [
  [/^hashing\.keys\[\d+\]\.secret$/, 'hashing secret'],
  [/^destinations\[\d+\]\.topic$/, 'topic'],
];

/** The first misplaced or refused `${` reference (see env-allow.ts): its field and why, or null. */
function findReference(value: unknown, path: (string | number)[]): { field: string; reason: string } | null {
  if (typeof value === 'string') {
    if (!hasEnvReference(value)) return null;
    const field = formatField(path);
    const use = REFERENCE_ALLOWED.find(([allowed]) => allowed.test(field))?.[1];
    if (use === undefined) return { field, reason: 'environment references (${…}) are taken only in hashing.keys[].secret and destinations[].topic' };
    for (const name of referencedNames(value)) {
      const reason = refusedReference(name, use);
      if (reason !== null) return { field, reason };
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findReference(value[i], [...path, i]);
      if (found !== null) return found;
    }
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findReference(item, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Parses and validates a submitted policy document exactly as the engine will; returns the text to write. */
export function validatePolicy(ctx: Pick<ApiContext, 'env'>, body: string, contentType: string | undefined): { content: string; policy: PolicyConfig } {
  let raw: unknown;
  let content = body;
  if (isJson(contentType)) {
    try {
      raw = JSON.parse(body);
    } catch {
      throw badRequest('body', 'not valid JSON');
    }
    rejectDeep(raw);
    content = stringify(raw);
  } else {
    raw = parseYaml(body, 'the body');
  }
  rejectDeep(raw);
  if (!isMapping(raw)) throw badRequest('body', 'expected a mapping of policy sections (hashing, policies, destinations, consentDefault)');
  const hashing = raw.hashing;
  if (isMapping(hashing) && Array.isArray(hashing.keys)) {
    hashing.keys.forEach((key: unknown, i) => {
      if (isMapping(key) && typeof key.secret === 'string' && !ENV_REFERENCE.test(key.secret)) {
        throw badRequest(
          `hashing.keys[${i}].secret`,
          'write an ${ENV_VAR} reference: the API versions and shows policy files, so it does not take literal secrets',
        );
      }
    });
  }
  // References resolve against this server's environment: only where a value is meant to come
  // from there. Anywhere else (a policy name becomes a metric label, names are echoed and audited)
  // a reference would hand out whatever variable it names.
  const misplaced = findReference(raw, []);
  if (misplaced !== null) throw badRequest(misplaced.field, misplaced.reason);
  let policy: PolicyConfig;
  try {
    // Resolved once, against this server's environment, by the resolver the engine uses.
    policy = parsePolicyConfig(raw, { env: ctx.env });
  } catch (err) {
    if (err instanceof PolicyConfigError) throw new ApiError(400, 'invalid_policy', err.message, err.field);
    throw err;
  }
  // Checked resolved: a topic becomes a Kafka topic (created, logged) or a file name.
  policy.destinations.forEach((destination, i) => {
    const problem = kafkaTopicProblem(destination.topic);
    if (problem !== null) throw new ApiError(400, 'invalid_policy', `destinations[${i}].topic: ${problem}`, `destinations[${i}].topic`);
  });
  return { content, policy };
}
