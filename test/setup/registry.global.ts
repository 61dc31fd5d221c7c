// vitest globalSetup: a Confluent-compatible schema registry for the whole test run.
//
// Order of preference (mirrors kafka.global.ts):
//   1. SCHEMA_REGISTRY_URL is set       → use it (Confluent API base URL).
//   2. SEGMENTLOOM_SKIP_KAFKA=1         → provide nothing; describeRegistry suites are skipped.
//   3. java + mvn (or a cached install) → Apicurio Registry 2.x from Maven Central, in-memory
//                                         storage, via scripts/registry-broker.js. No Docker needed.
//   4. a Docker engine answers          → apicurio/apicurio-registry-mem via testcontainers.
//   5. none of these                    → provide nothing; registryUrl() throws an explicit error.
//
// Tests read the URL with registryUrl() from test/helpers/registry.ts (inject('registryUrl'), falling
// back to process.env.SCHEMA_REGISTRY_URL, which is also set here).
import { dockerAnswers } from './docker.js';
import type { TestProject } from 'vitest/node';
import { APICURIO_VERSION, CCOMPAT_PATH, javaAvailable, mavenAvailable, registryCached, startRegistry } from '../../scripts/registry-broker.js';
// The ProvidedContext keys ('registryUrl', 'registryUnavailable') are declared in test/helpers/registry.ts.

const log = (msg: string): void => {
  process.stderr.write(`[registry.global] ${msg}\n`);
};

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const useUrl = (url: string): void => {
    project.provide('registryUrl', url);
    process.env.SCHEMA_REGISTRY_URL = url;
  };

  const given = process.env.SCHEMA_REGISTRY_URL?.trim();
  if (given) {
    log(`using SCHEMA_REGISTRY_URL=${given}`);
    useUrl(given);
    return undefined;
  }
  if (process.env.SEGMENTLOOM_SKIP_KAFKA === '1') {
    log('SEGMENTLOOM_SKIP_KAFKA=1: no schema registry; registry suites are skipped');
    return undefined;
  }

  const tried: string[] = [];
  try {
    if (javaAvailable() && (mavenAvailable() || registryCached())) {
      const t0 = Date.now();
      const registry = await startRegistry({});
      log(`Apicurio Registry ${registry.version} (local JVM, pid ${registry.pid}) at ${registry.url} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      useUrl(registry.url);
      return async () => {
        await registry.stop();
      };
    }
    tried.push('java and mvn are not both on PATH');
    if (await dockerAnswers()) {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(`apicurio/apicurio-registry-mem:${APICURIO_VERSION}`)
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp(`${CCOMPAT_PATH}/subjects`, 8080).forStatusCode(200))
        .withStartupTimeout(180_000)
        .start();
      const url = `http://${container.getHost()}:${container.getMappedPort(8080)}${CCOMPAT_PATH}`;
      log(`Apicurio Registry (testcontainers) at ${url}`);
      useUrl(url);
      return async () => {
        await container.stop();
      };
    }
    tried.push('no Docker engine answers');
  } catch (err) {
    tried.push(err instanceof Error ? err.message : String(err));
  }
  const why = tried.join('; ');
  log(`no schema registry: ${why}`);
  project.provide('registryUnavailable', why);
  return undefined;
}
