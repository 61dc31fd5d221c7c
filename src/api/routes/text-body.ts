import type { FastifyInstance } from 'fastify';

/** Content types of configuration documents; JSON is YAML's subset, so both go to the YAML loader. */
export const TEXT_BODY_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'application/json', 'text/plain'];

/**
 * Makes this (encapsulated) route group take bodies as raw text: configuration documents are
 * validated by the engine's own loaders, which read text, and JSON is kept byte-for-byte until then.
 */
export function acceptTextBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(TEXT_BODY_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
}
