import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { z } from 'zod';
import { policyConfigSchema } from '../../policy/index.js';
import { getVersion, latestVersion, listVersions, sha256, writeConfigVersion } from '../config-versions.js';
import type { ApiContext } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { readPolicy, redactPolicy, validatePolicy } from '../policy-files.js';
import { defineRoute, handle } from '../route.js';
import { configVersionListSchema, configVersionSchema } from '../schemas.js';
import { acceptTextBodies } from './text-body.js';

/** The policy file is one versioned config; its versions are named `policy`. */
const NAME = 'policy';
const documentSchema = z
  .record(z.string(), z.unknown())
  .describe('policy sections as YAML-parsed; hashing secrets that are not ${ENV} references read "[redacted]"');

export const policyRoutes = {
  get: defineRoute({
    operationId: 'getPolicies',
    method: 'GET',
    url: '/policies',
    tag: 'policies',
    summary: 'The policy sections in force (secrets redacted)',
    action: 'policies.read',
    response: {
      status: 200,
      description: 'The policy file, or the sections inline in the engine config (read-only)',
      schema: z.object({
        file: z.string().nullable(),
        inline: z.boolean(),
        sha256: z.string().nullable(),
        version: configVersionSchema.nullable(),
        document: documentSchema,
      }),
    },
    errors: [404],
  }),
  put: defineRoute({
    operationId: 'putPolicies',
    method: 'PUT',
    url: '/policies',
    tag: 'policies',
    summary: 'Replace the policy file (hot-reloaded by running engines)',
    description:
      'Validated with the policy engine (`parsePolicyConfig`, after `${ENV}` substitution), stored as a new version, written atomically to the policy file engines watch. Hashing secrets must be `${ENV_VAR}` references.',
    action: 'policies.manage',
    textBody: { schema: policyConfigSchema, description: 'Policy sections as YAML (application/yaml) or JSON (application/json)' },
    response: {
      status: 200,
      description: 'Accepted and written',
      schema: z.object({ version: configVersionSchema, policies: z.array(z.string()), destinations: z.array(z.string()) }),
    },
    errors: [400, 409, 413, 415],
    audit: 'policies.put',
  }),
  versions: defineRoute({
    operationId: 'listPolicyVersions',
    method: 'GET',
    url: '/policies/versions',
    tag: 'policies',
    summary: 'Versions written through the API, newest first',
    action: 'policies.read',
    response: { status: 200, description: 'Versions', schema: configVersionListSchema },
  }),
  version: defineRoute({
    operationId: 'getPolicyVersion',
    method: 'GET',
    url: '/policies/versions/:version',
    tag: 'policies',
    summary: 'One version, as a (redacted) document',
    action: 'policies.read',
    params: z.strictObject({ version: z.coerce.number().int().min(1) }),
    response: { status: 200, description: 'The version', schema: configVersionSchema.extend({ document: documentSchema }) },
    errors: [400, 404],
  }),
};

export function registerPolicyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  acceptTextBodies(app);
  handle(app, ctx, policyRoutes.get, async () => ({ ...(await readPolicy(ctx)), version: await latestVersion(ctx.db, 'policy', NAME) }));
  handle(app, ctx, policyRoutes.put, async ({ body, principal, req }) => {
    const file = ctx.policyFile;
    if (file === null) throw conflict('no_policy_file', 'the engine config keeps its policies inline: set policyFile in it to manage policies through the API');
    const { content, policy } = validatePolicy(ctx, body, req.headers['content-type']);
    const saved = await writeConfigVersion(ctx.db, { kind: 'policy', name: NAME, content, authorKeyId: principal.keyId, file }, (result) => ({
      actor: { keyId: principal.keyId, role: principal.role },
      action: 'policies.put',
      targetType: 'policy',
      targetId: NAME,
      // Digests and names only: a policy document may hold (references to) hashing secrets.
      before: result.replaced === null ? null : { version: result.previous?.version ?? null, sha256: sha256(result.replaced) },
      after: {
        version: result.current.version,
        sha256: result.current.sha256,
        policies: policy.policies.map((p) => p.name),
        destinations: policy.destinations.map((d) => d.name),
      },
      requestId: req.id,
    }));
    return { version: saved.current, policies: policy.policies.map((p) => p.name), destinations: policy.destinations.map((d) => d.name) };
  });
  handle(app, ctx, policyRoutes.versions, async () => ({ items: await listVersions(ctx.db, 'policy', NAME) }));
  handle(app, ctx, policyRoutes.version, async ({ params }) => {
    const found = await getVersion(ctx.db, 'policy', NAME, params.version);
    if (!found) throw notFound('policy version');
    const { content, ...meta } = found;
    const document = parse(content) as unknown;
    return { ...meta, document: redactPolicy(document !== null && typeof document === 'object' ? (document as Record<string, unknown>) : {}) };
  });
}
