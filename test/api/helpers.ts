import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { ReceiptSigner } from '../../src/storage/crypto/receipt-signing.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { AlertsConfig } from '../../src/alerts/config.js';
import type { Role, Scope } from '../../src/api/authz.js';
import type { TlsOptions } from '../../src/api/context.js';
import { ApiKeyStore } from '../../src/api/api-keys.js';
import { startApi, type RunningApi } from '../../src/api/server.js';
import type { AuthThrottleOptions } from '../../src/api/throttle.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../../src/detect/load.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Storage } from '../../src/storage/storage.js';
import { openTestDb, storageOn, type Engine, type TestDb } from '../storage/helpers.js';

export const POLICY_YAML = `destinations:
  - { name: warehouse, topic: segment.warehouse }
policies:
  - { name: block-secrets, match: { categories: [password] }, action: block }
`;

export interface TestApi {
  api: RunningApi;
  url: string;
  storage: Storage;
  t: TestDb;
  dir: string;
  customDir: string;
  policyFile: string;
  configFile: string;
  /** An owner key with every scope, created like the CLI bootstrap does. */
  owner: string;
  keys: ApiKeyStore;
  /** Creates a key straight in the database (no API call, no audit entry). */
  key(role: Role, scopes?: readonly Scope[], name?: string): Promise<{ id: string; token: string }>;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

export interface CallOptions {
  token?: string | null;
  /** Objects are sent as JSON; strings as they are (with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: any;
}

export interface TestApiOptions {
  engine?: Engine;
  now?: () => Date;
  alertsConfig?: AlertsConfig | null;
  tls?: TlsOptions;
  env?: Record<string, string | undefined>;
  authThrottle?: AuthThrottleOptions;
  keyCacheMs?: number;
  identityVerifier?: import('../../src/api/identity-verification.js').IdentityVerifier | null;
  /** The storage's master keyring and lookup hasher (default: random, one version). */
  keyring?: import('../../src/storage/crypto/master-keys.js').Keyring;
  hasher?: import('../../src/storage/crypto/lookup.js').SubjectHasher;
  receiptSigner?: ReceiptSigner | null;
  /** Listen on this port (default: a free one). */
  port?: number;
}

export function tempDir(prefix = 'sl-api-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The API on 127.0.0.1:0 over a fresh database, with a config dir laid out like an engine's. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const dir = tempDir();
  const customDir = join(dir, 'mine');
  mkdirSync(customDir);
  const policyFile = join(dir, 'policies.yaml');
  writeFileSync(policyFile, POLICY_YAML);
  const configFile = join(dir, 'engine.yaml');
  writeFileSync(configFile, 'policyFile: policies.yaml\nclassifiers: [builtin, mine]\nreload: { debounceMs: 20, pollMs: 100 }\n');
  const t = await openTestDb(options.engine ?? 'pglite', 'api');
  const storage = await storageOn(t.db, {
    receiptSigner: options.receiptSigner ?? null,
    ...(options.keyring ? { keyring: options.keyring } : {}),
    ...(options.hasher ? { hasher: options.hasher } : {}),
  });
  // A port chosen by the caller can be taken meanwhile (EADDRINUSE): the store is not left open then.
  const api = await startApi({
    storage,
    classifierDirs: [BUILTIN_CLASSIFIERS_DIR.replace(/\/$/, ''), customDir],
    policyFile,
    configFile,
    alertsConfig: options.alertsConfig ?? null,
    registry: new Registry(),
    logger: silentLogger(),
    now: options.now,
    tls: options.tls,
    env: options.env ?? {},
    // Suites that send many bad keys on purpose (the authz matrix) are not about throttling.
    authThrottle: options.authThrottle ?? { maxFailuresPerAddress: 100_000, maxFailuresPerKey: 100_000 },
    keyCacheMs: options.keyCacheMs,
    identityVerifier: options.identityVerifier ?? null,
    port: options.port ?? 0,
  }).catch(async (err: unknown) => {
    await t.close();
    throw err;
  });
  const keys = new ApiKeyStore(t.db, options.now);
  const key = async (role: Role, scopes?: readonly Scope[], name = `${role}-key`) => {
    const { ROLE_SCOPES, DEFAULT_SCOPES } = await import('../../src/api/authz.js');
    const chosen = scopes ?? DEFAULT_SCOPES[role];
    if (chosen.some((s) => !ROLE_SCOPES[role].includes(s))) throw new Error(`test bug: ${role} cannot hold ${chosen.join(',')}`);
    const issued = await t.db.transaction((tx) => keys.create(tx, { name, role, scopes: chosen, createdBy: null }));
    return { id: issued.key.id, token: issued.token };
  };
  const owner = (await key('owner', undefined, 'bootstrap')).token;
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? owner : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? (typeof o.body === 'string' ? 'application/yaml' : 'application/json');
    }
    const res = await fetch(`${api.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    api,
    url: api.url,
    storage,
    t,
    dir,
    customDir,
    policyFile,
    configFile,
    owner,
    keys,
    key,
    call,
    close: async () => {
      await api.close();
      await t.close();
    },
  };
}

/** Polls until `check` passes (async conditions: request runs, file watchers). */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const CLASSIFIER_YAML = `id: loyalty_number
name: Loyalty number
classification: red
category: user.unique_id
key:
  names: [loyalty number]
`;
