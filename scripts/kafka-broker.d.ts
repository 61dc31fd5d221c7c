// Types for scripts/kafka-broker.js (plain JS, so the TypeScript tests can import it).
export declare const DEFAULT_CACHE_DIR: string;
export declare const KAFKA_VERSIONS: readonly string[];

export interface KafkaJars {
  libDir: string;
  version: string;
  fetched: boolean;
}
export declare function ensureKafkaJars(opts?: { cacheDir?: string }): Promise<KafkaJars>;
export declare function cachedKafkaJars(opts?: { cacheDir?: string }): boolean;
export declare function javaAvailable(): boolean;
export declare function mavenAvailable(): boolean;

export interface StartKafkaOptions {
  /** Jar cache; default <repo>/.kafka. */
  cacheDir?: string;
  /** Where the broker log goes; default the broker's temp dir (removed by stop()). */
  logDir?: string;
  /** Default 120 000. */
  readyTimeoutMs?: number;
  /** The broker outlives this process (CLI `up`): no exit hook, no watchdog. */
  detached?: boolean;
  /** 'tls': SSL and SASL_SSL (SCRAM-SHA-512) listeners only, certificates made for the run. */
  security?: 'plaintext' | 'tls';
}
export interface ScramUser {
  mechanism: 'scram-sha-512';
  username: string;
  password: string;
}
export declare const SCRAM_USER: ScramUser;
export interface RunningKafka {
  /** '127.0.0.1:PORT' */
  brokers: string;
  pid: number;
  dir: string;
  logFile: string;
  version: string;
  stop(): Promise<void>;
  /** Detached brokers: lets it outlive this process (until then it dies with it). */
  release(): void;
  security: 'plaintext' | 'tls';
  /** TLS brokers: the PEM CA that signed the broker certificate. */
  caFile?: string;
  /** TLS brokers: '127.0.0.1:PORT' of the SASL_SSL listener. */
  saslBrokers?: string;
  scram?: ScramUser;
}
export declare function startKafka(opts?: StartKafkaOptions): Promise<RunningKafka>;
export declare function stopKafkaByPid(state: { pid: number; dir?: string }): Promise<void>;

export interface KafkaState {
  brokers: string;
  pid: number;
  dir: string;
  version?: string;
  startedAt?: string;
}
export declare function readState(cacheDir?: string): KafkaState | undefined;
export declare function writeState(state: KafkaState, cacheDir?: string): void;
export declare function clearState(cacheDir?: string): void;
/** A random KRaft cluster id that StorageTool accepts (never starting with '-'). */
export declare function randomClusterId(): string;
