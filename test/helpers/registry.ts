// How a test gets the Confluent-compatible schema registry that test/setup/registry.global.ts
// started (Apicurio Registry's /apis/ccompat/v7) or was pointed at (SCHEMA_REGISTRY_URL).
//
//   import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
//   const registry = new SchemaRegistry({ host: registryUrl() });
import { describe, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of a Confluent-compatible registry API, e.g. http://127.0.0.1:PORT/apis/ccompat/v7. */
    registryUrl?: string;
    /** Why no registry could be started, when the setup tried and failed. */
    registryUnavailable?: string;
  }
}

export const NO_REGISTRY_MESSAGE =
  'No schema registry: set SCHEMA_REGISTRY_URL (a Confluent-compatible API), or let the test setup start Apicurio Registry (needs java+mvn), or run with Docker (testcontainers). SEGMENTLOOM_SKIP_KAFKA=1 opts out explicitly.';

export const registrySkipped = process.env.SEGMENTLOOM_SKIP_KAFKA === '1';

/** Base URL for `new SchemaRegistry({ host })`; throws when there is none. */
export function registryUrl(): string {
  const provided = inject('registryUrl') ?? process.env.SCHEMA_REGISTRY_URL;
  if (provided) return provided;
  const why = inject('registryUnavailable');
  throw new Error(why ? `${NO_REGISTRY_MESSAGE}\nThe test setup tried and failed: ${why}` : NO_REGISTRY_MESSAGE);
}

/** `describe` for suites that need the registry; `describe.skip` only under SEGMENTLOOM_SKIP_KAFKA=1. */
export const describeRegistry: typeof describe.skip = describe.skipIf(registrySkipped);
