// Types for scripts/pg-cluster.js (plain JS, so the TypeScript tests can import it).
export interface PgCluster {
  host: string;
  port: number;
  dir: string;
  logFile: string;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE[?QUERY] */
  url(database?: string, query?: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}
export declare function pgBinDir(): string | undefined;
export declare function pgClusterAvailable(): boolean;
export declare function startPgCluster(opts?: { tls?: { certFile: string; keyFile: string } }): Promise<PgCluster>;
