import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Detector } from '../../detect/index.js';
import { explainSample } from '../../inventory/classifier-try.js';
import { EVENT_TYPES, PathTrie } from '../../events/index.js';
import { readClassifiers } from '../classifier-files.js';
import type { ApiContext } from '../context.js';
import { badRequest } from '../errors.js';
import { defineRoute, handle } from '../route.js';

/**
 * The try-it box (`segmentloom classifiers test` over HTTP): a key path and a value, run through
 * the classifiers in force on disk (built-in and custom); the answer shows the value masked only.
 * A POST because the sample may be personal data: it must not sit in a URL or an access log.
 */
export const classifierTryRoutes = {
  try: defineRoute({
    operationId: 'tryClassifiers',
    method: 'POST',
    url: '/classifiers/try',
    tag: 'classifiers',
    summary: 'Which classifier fires on a key and value, and why (nothing is stored)',
    action: 'classifiers.read',
    body: z.strictObject({
      path: z.string().min(1).max(1024).describe('e.g. properties.email or traits.phone'),
      value: z.union([z.string().max(4096), z.number(), z.boolean()]),
      call: z.enum(EVENT_TYPES).default('track'),
    }),
    response: {
      status: 200,
      description: 'The verdict',
      schema: z.object({
        path: z.string(),
        value: z.string().describe('masked'),
        category: z.string().nullable(),
        classification: z.enum(['red', 'yellow', 'green']),
        matchedOn: z.string().nullable(),
        confidence: z.number(),
        matcher: z.string().nullable(),
        note: z.string().nullable(),
      }),
    },
    errors: [400],
  }),
};

export function registerClassifierTryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  handle(app, ctx, classifierTryRoutes.try, async ({ body }) => {
    const classifiers = (await readClassifiers(ctx)).filter((e) => !e.overridden && e.classifier.enabled).map((e) => e.classifier);
    let node;
    try {
      node = new PathTrie().resolve(body.path, body.call);
    } catch (err) {
      throw badRequest('path', (err as Error).message.replace(/"[^"]*"/g, 'the path'));
    }
    return explainSample(new Detector(classifiers), node, body.value);
  });
}
