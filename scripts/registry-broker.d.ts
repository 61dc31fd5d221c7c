// Types for scripts/registry-broker.js (plain JS, so the TypeScript tests can import it).
export declare const DEFAULT_CACHE_DIR: string;
export declare const APICURIO_VERSION: string;
/** '/apis/ccompat/v7': Apicurio's Confluent-compatible API. */
export declare const CCOMPAT_PATH: string;

export declare function javaAvailable(): boolean;
export declare function mavenAvailable(): boolean;
export declare function registryCached(opts?: { cacheDir?: string }): boolean;
export declare function ensureRegistry(opts?: {
  cacheDir?: string;
  version?: string;
}): Promise<{ dir: string; runner: string; version: string; fetched: boolean }>;

export interface StartRegistryOptions {
  cacheDir?: string;
  logDir?: string;
  readyTimeoutMs?: number;
  detached?: boolean;
}
export interface RunningRegistry {
  /** Confluent-compatible base URL: http://127.0.0.1:PORT/apis/ccompat/v7 */
  url: string;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  pid: number;
  dir: string;
  logFile: string;
  version: string;
  stop(): Promise<void>;
}
export declare function startRegistry(opts?: StartRegistryOptions): Promise<RunningRegistry>;
