// Types for scripts/test-certs.js (plain JS, so the TypeScript tests can import it).
export interface TestCa {
  name: string;
  certFile: string;
  keyFile: string;
  dir: string;
}
export interface ServerCert {
  certFile: string;
  keyFile: string;
  p12File?: string;
}
export declare function createCa(dir: string, name?: string): TestCa;
export declare function createServerCert(ca: TestCa, opts: { name: string; ips?: string[]; dns?: string[]; pkcs12Password?: string }): ServerCert;
export declare function createTruststore(ca: TestCa, password: string): string;
export declare function createSelfSignedCert(dir: string, opts: { name: string; ips?: string[]; dns?: string[] }): ServerCert;
