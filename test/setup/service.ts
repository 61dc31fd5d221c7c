// The shared logic of the vitest global setups: one external service (Kafka broker, schema
// registry) for the whole test run.
//
// Order of preference:
//   1. its environment variable is set  → use that address.
//   2. SEGMENTLOOM_SKIP_KAFKA=1         → provide nothing; the service's suites are skipped.
//   3. java + mvn (or cached jars)      → a local JVM from Maven Central jars. No Docker needed.
//   4. a Docker engine answers          → Testcontainers (also when the local JVM failed to start).
//   5. none of these                    → provide nothing; the tests' accessor throws, saying why.
//
// The address is provided (vitest inject) and exported in the environment, which the forked
// workers inherit (they are spawned after global setup).
import type { TestProject } from 'vitest/node';
import { dockerAnswers } from './docker.js';

/** A started service: its address, a line for the log, and how to stop it. */
export interface StartedService {
  address: string;
  describe: string;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  /** Log prefix, e.g. `kafka.global`. */
  label: string;
  /** What it is, for messages: `Kafka broker`. */
  what: string;
  /** The environment variable holding a given address (and set to the one started). */
  envVar: string;
  provideKey: 'kafkaBrokers' | 'registryUrl';
  unavailableKey: 'kafkaUnavailable' | 'registryUnavailable';
  /** Whether the local JVM route can be tried (java, and mvn or cached jars). */
  localAvailable(): boolean;
  startLocal(): Promise<StartedService>;
  startContainer(): Promise<StartedService>;
}

export async function provideService(project: TestProject, spec: ServiceSpec): Promise<(() => Promise<void>) | undefined> {
  const log = (msg: string): void => {
    process.stderr.write(`[${spec.label}] ${msg}\n`);
  };
  const use = (address: string): void => {
    project.provide(spec.provideKey, address);
    process.env[spec.envVar] = address;
  };

  const given = process.env[spec.envVar]?.trim();
  if (given) {
    log(`using ${spec.envVar}=${given}`);
    use(given);
    return undefined;
  }
  if (process.env.SEGMENTLOOM_SKIP_KAFKA === '1') {
    log(`SEGMENTLOOM_SKIP_KAFKA=1: no ${spec.what}; its suites are skipped`);
    return undefined;
  }

  const tried: string[] = [];
  const routes: Array<[string, () => Promise<StartedService>]> = [];
  if (spec.localAvailable()) routes.push(['local JVM', spec.startLocal]);
  else tried.push('java and mvn are not both on PATH');
  for (const [route, start] of [
    ...routes,
    [
      'Testcontainers',
      async () => {
        if (!(await dockerAnswers())) throw new Error('no Docker engine answers');
        return spec.startContainer();
      },
    ] as [string, () => Promise<StartedService>],
  ]) {
    try {
      const t0 = Date.now();
      const service = await start();
      log(`${service.describe} (${route}) at ${service.address} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      use(service.address);
      return () => service.stop();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      tried.push(route === 'Testcontainers' ? why : `${route}: ${why}`);
      if (route !== 'Testcontainers') log(`${route} failed (${why.split('\n')[0]}); trying Testcontainers`);
    }
  }
  const why = tried.join('; ');
  log(`no ${spec.what}: ${why}`);
  project.provide(spec.unavailableKey, why);
  return undefined;
}
