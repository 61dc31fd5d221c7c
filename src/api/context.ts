import type { Registry } from 'prom-client';
import type { AlertsConfig } from '../alerts/config.js';
import type { CompiledClassifier } from '../detect/index.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/db.js';
import type { Storage } from '../storage/storage.js';
import { ParsedFileCache } from './file-cache.js';
import { ApiKeyStore } from './api-keys.js';
import { WriteKeyStore } from './write-keys.js';
import type { AuthThrottle, AuthThrottleOptions } from './throttle.js';
import { verifierFromEnv, type IdentityVerifier } from './identity-verification.js';

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ApiOptions {
  storage: Storage;
  /** The database the API's own tables live in; `storage.db` when absent. */
  db?: Db | undefined;
  /** Classifier directories in load order, exactly as the engine loads them (built-in first). */
  classifierDirs: readonly string[];
  /** Where `PUT /classifiers/:id` writes; default: the last of `classifierDirs` that is not built-in. */
  customClassifierDir?: string | null | undefined;
  /** The policy file the engine watches; null when the policies are inline in the engine config. */
  policyFile: string | null;
  /** The engine config, to show inline policy sections read-only when there is no policy file. */
  configFile?: string | null | undefined;
  alertsConfig?: AlertsConfig | null | undefined;
  registry: Registry;
  logger: Logger;
  tls?: TlsOptions | undefined;
  /** Clock for key expiry and rotation (tests move it). */
  now?: (() => Date) | undefined;
  /** Environment `${VAR}` references in submitted policies are checked against. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number | undefined;
  /** Limits on failed authentication (see throttle.ts). */
  authThrottle?: AuthThrottleOptions | undefined;
  /** How long a verified key is trusted without a database read, in ms (default 5 000; 0: never cached). */
  keyCacheMs?: number | undefined;
  /** Confirms the requester of an export by email (see identity-verification.ts); default: from env, else none (no export by email). */
  identityVerifier?: IdentityVerifier | null | undefined;
}

/** What route handlers share: resolved options plus the key store and in-flight background work. */
export interface ApiContext {
  storage: Storage;
  db: Db;
  keys: ApiKeyStore;
  /** The HTTP ingest's write keys (same store as `segmentloom ingest keys`). */
  writeKeys: WriteKeyStore;
  classifierDirs: readonly string[];
  builtinDirs: ReadonlySet<string>;
  customClassifierDir: string | null;
  /** Parsed classifier files, each reused only while unchanged on disk. */
  classifierFiles: ParsedFileCache<CompiledClassifier[]>;
  policyFile: string | null;
  configFile: string | null;
  alertsConfig: AlertsConfig | null;
  registry: Registry;
  logger: Logger;
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** Subject requests running after their creation was answered; awaited on close. */
  background: Set<Promise<unknown>>;
  /** Set once the API has registered its rate limiter. */
  throttle?: AuthThrottle;
  identityVerifier: IdentityVerifier | null;
}

export function createContext(options: ApiOptions, builtinDir: string): ApiContext {
  const db = options.db ?? options.storage.db;
  const now = options.now ?? (() => new Date());
  const same = (a: string) => a.replace(/\/+$/, '') === builtinDir.replace(/\/+$/, '');
  const builtinDirs = new Set(options.classifierDirs.filter(same));
  const custom =
    options.customClassifierDir !== undefined ? options.customClassifierDir : ([...options.classifierDirs].reverse().find((d) => !same(d)) ?? null);
  return {
    storage: options.storage,
    db,
    keys: new ApiKeyStore(db, now, options.keyCacheMs),
    writeKeys: new WriteKeyStore(db, now),
    classifierDirs: options.classifierDirs,
    builtinDirs,
    customClassifierDir: custom,
    classifierFiles: new ParsedFileCache(),
    policyFile: options.policyFile,
    configFile: options.configFile ?? null,
    alertsConfig: options.alertsConfig ?? null,
    registry: options.registry,
    logger: options.logger,
    now,
    env: options.env ?? process.env,
    background: new Set(),
    identityVerifier: options.identityVerifier !== undefined ? options.identityVerifier : verifierFromEnv(options.env ?? process.env),
  };
}
