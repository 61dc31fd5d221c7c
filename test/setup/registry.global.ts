// vitest globalSetup: a Confluent-compatible schema registry for the whole test run (see
// service.ts for the order of preference: SCHEMA_REGISTRY_URL, SEGMENTLOOM_SKIP_KAFKA, Apicurio
// Registry 2.x from Maven Central in a local JVM via scripts/registry-broker.js, then
// apicurio/apicurio-registry-mem via Testcontainers). Tests read the URL with registryUrl() from
// test/helpers/registry.ts, which also declares the provided keys.
import type { TestProject } from 'vitest/node';
import { APICURIO_VERSION, CCOMPAT_PATH, javaAvailable, mavenAvailable, registryCached, startRegistry } from '../../scripts/registry-broker.js';
import { provideService } from './service.js';

export default function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  return provideService(project, {
    label: 'registry.global',
    what: 'schema registry',
    envVar: 'SCHEMA_REGISTRY_URL',
    provideKey: 'registryUrl',
    unavailableKey: 'registryUnavailable',
    localAvailable: () => javaAvailable() && (mavenAvailable() || Boolean(registryCached())),
    startLocal: async () => {
      const registry = await startRegistry({});
      return { address: registry.url, describe: `Apicurio Registry ${registry.version}, pid ${registry.pid}`, stop: () => registry.stop() };
    },
    startContainer: async () => {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(`apicurio/apicurio-registry-mem:${APICURIO_VERSION}`)
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp(`${CCOMPAT_PATH}/subjects`, 8080).forStatusCode(200))
        .withStartupTimeout(180_000)
        .start();
      return {
        address: `http://${container.getHost()}:${container.getMappedPort(8080)}${CCOMPAT_PATH}`,
        describe: `Apicurio Registry ${APICURIO_VERSION}`,
        stop: async () => void (await container.stop()),
      };
    },
  });
}
