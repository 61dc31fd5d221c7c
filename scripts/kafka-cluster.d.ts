// Types for scripts/kafka-cluster.js (plain JS, so the TypeScript tests can import it).
export interface ClusterNode {
  id: number;
  port: number;
  /** '127.0.0.1:PORT' */
  address: string;
  logFile: string;
  readonly pid: number | undefined;
  alive(): boolean;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}
export interface KafkaCluster {
  brokers: string;
  nodes: ClusterNode[];
  node(id: number): ClusterNode | undefined;
  root: string;
  stop(): Promise<void>;
}
export declare function startKafkaCluster(opts?: { size?: number; cacheDir?: string; readyTimeoutMs?: number }): Promise<KafkaCluster>;
