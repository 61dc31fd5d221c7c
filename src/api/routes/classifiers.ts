import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { classifierSchema } from '../../detect/index.js';
import { findClassifier, readClassifiers, summary, validateClassifier } from '../classifier-files.js';
import { getVersion, latestVersion, listVersions, sha256, writeConfigVersion } from '../config-versions.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { defineRoute, handle } from '../route.js';
import { classifierSummarySchema, configVersionListSchema, configVersionSchema } from '../schemas.js';
import { acceptTextBodies } from './text-body.js';

const idParams = z.strictObject({ id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a classifier id: snake_case, lowercase letters, digits, _') });
const versionParams = idParams.extend({ version: z.coerce.number().int().min(1) });

export const classifierRoutes = {
  list: defineRoute({
    operationId: 'listClassifiers',
    method: 'GET',
    url: '/classifiers',
    tag: 'classifiers',
    summary: 'Built-in and custom classifiers, in load order',
    action: 'classifiers.read',
    response: {
      status: 200,
      description: 'Every definition; `overridden` ones are replaced by a later directory',
      schema: z.object({ items: z.array(classifierSummarySchema) }),
    },
    errors: [409],
  }),
  get: defineRoute({
    operationId: 'getClassifier',
    method: 'GET',
    url: '/classifiers/:id',
    tag: 'classifiers',
    summary: 'The definition in force for an id, with its file',
    action: 'classifiers.read',
    params: idParams,
    response: {
      status: 200,
      description: 'Summary, the YAML file defining it, and the latest API version (null if never written through the API)',
      schema: z.object({ classifier: classifierSummarySchema, content: z.string(), version: configVersionSchema.nullable() }),
    },
    errors: [400, 404, 409],
  }),
  put: defineRoute({
    operationId: 'putClassifier',
    method: 'PUT',
    url: '/classifiers/:id',
    tag: 'classifiers',
    summary: 'Create or replace a custom classifier (hot-reloaded by running engines)',
    description:
      'Validated with the engine loader, stored as a new version, then written atomically to `<custom dir>/<id>.yaml`, which engines watch. A built-in id is overridden, not changed.',
    action: 'classifiers.manage',
    params: idParams,
    textBody: { schema: classifierSchema, description: 'One classifier, as YAML (application/yaml) or JSON (application/json)' },
    response: { status: 200, description: 'Accepted and written', schema: z.object({ classifier: classifierSummarySchema, version: configVersionSchema }) },
    errors: [400, 409, 413, 415],
    audit: 'classifiers.put',
  }),
  versions: defineRoute({
    operationId: 'listClassifierVersions',
    method: 'GET',
    url: '/classifiers/:id/versions',
    tag: 'classifiers',
    summary: 'Versions written through the API, newest first',
    action: 'classifiers.read',
    params: idParams,
    response: { status: 200, description: 'Versions', schema: configVersionListSchema },
    errors: [400],
  }),
  version: defineRoute({
    operationId: 'getClassifierVersion',
    method: 'GET',
    url: '/classifiers/:id/versions/:version',
    tag: 'classifiers',
    summary: 'One version with its content',
    action: 'classifiers.read',
    params: versionParams,
    response: { status: 200, description: 'The version', schema: configVersionSchema.extend({ content: z.string() }) },
    errors: [400, 404],
  }),
};

export function registerClassifierRoutes(app: FastifyInstance, ctx: ApiContext): void {
  acceptTextBodies(app);
  handle(app, ctx, classifierRoutes.list, async () => ({ items: (await readClassifiers(ctx)).map(summary) }));
  handle(app, ctx, classifierRoutes.get, async ({ params }) => {
    const entry = await findClassifier(ctx, params.id);
    if (!entry) throw notFound('classifier');
    return { classifier: summary(entry), content: entry.content, version: await latestVersion(ctx.db, 'classifier', params.id) };
  });
  handle(app, ctx, classifierRoutes.put, async ({ params, body, principal, req }) => {
    const { content, file } = await validateClassifier(ctx, params.id, body, req.headers['content-type']);
    const saved = await writeConfigVersion(ctx.db, { kind: 'classifier', name: params.id, content, authorKeyId: principal.keyId, file }, (result) => ({
      actor: { keyId: principal.keyId, role: principal.role },
      action: 'classifiers.put',
      targetType: 'classifier',
      targetId: params.id,
      before: result.replaced === null ? null : { version: result.previous?.version ?? null, sha256: sha256(result.replaced) },
      after: { version: result.current.version, sha256: result.current.sha256, file: `${params.id}.yaml` },
      requestId: req.id,
    }));
    ctx.classifierFiles.invalidate(file);
    const entry = await findClassifier(ctx, params.id);
    return { classifier: summary(entry!), version: saved.current };
  });
  handle(app, ctx, classifierRoutes.versions, async ({ params }) => ({ items: await listVersions(ctx.db, 'classifier', params.id) }));
  handle(app, ctx, classifierRoutes.version, async ({ params }) => {
    const version = await getVersion(ctx.db, 'classifier', params.id, params.version);
    if (!version) throw notFound('classifier version');
    return version;
  });
}
