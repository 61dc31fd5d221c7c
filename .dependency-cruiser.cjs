/**
 * The dependency rules of the source tree (issue 12): `npm run lint:deps`, run by .ci/run.
 *
 * Events flow one way (src/README.md draws it); a folder imports only folders below it in LAYERS,
 * never one above, and no module imports itself back through any chain (types included).
 */

/** Bottom to top. A folder may import the folders before it in this list, and only those. */
const LAYERS = [
  'core',          // what every stage shares: env substitution, logger
  'events',        // what an event is, decoding it, the message/source/sink seam
  'detect',        // finds and classifies personal data
  'policy',        // compiles and runs the controls per destination
  'storage',       // the encrypted store: events, keys, requests, retention, suppression
  'inventory',     // the data inventory and its store
  'alerts',        // alerts on new data points, outbox, channels
  'config',        // composes every stage's config into one engine config
  'pipeline',      // the loop: source -> decode -> detect -> enforce -> sinks
  'observability', // metrics and health endpoints about the pipeline
  'state',         // wiring of the durable store into a running pipeline
  'app',           // starts engines (Kafka, file, feed), hot reload
  'api',           // the control-plane HTTP API
  'portal',        // the Privacy Portal: a web app on the API's routes, sessions, OIDC
  'ingest',        // Segment's HTTP Tracking API in front of Kafka
  'cli',           // the command line
];

/**
 * The one import against the flow: the API mounts the portal's fastify plugin (same port, same
 * authorization). The portal builds on the API's context and authz; nothing else in api/ knows it.
 */
const PORTAL_MOUNT = { from: '^src/api/app[.]ts$', to: '^src/portal/index[.]ts$' };

/** Shared with every folder until the one errors module (src/core/errors*) replaces it. */
const SHARED_FOR_NOW = '^src/config/errors[.]ts$';
/** The registry of migrations lists every folder's migrations (plain SQL, importing nothing above). */
const MIGRATION_REGISTRY = '^src/storage/migrations/index[.]ts$';
/** A migration file (not the registry), capturing its folder. */
const MIGRATION = '^src/([^/]+)/migrations/(?!index[.]ts$)[^/]+[.]ts$';
/** Folders whose index.ts is their public surface: other folders import them through it. */
const SURFACES = ['events', 'detect', 'policy', 'portal'];

const againstTheFlow = LAYERS.map((layer, i) => {
  const above = LAYERS.slice(i + 1);
  if (above.length === 0) return undefined;
  return {
    name: `flow-${layer}`,
    comment: `${layer}/ imports only folders below it (${LAYERS.slice(0, i).join(', ') || 'none'}); see src/README.md`,
    severity: 'error',
    from: { path: `^src/${layer}/`, pathNot: layer === 'api' ? [MIGRATION_REGISTRY, PORTAL_MOUNT.from] : MIGRATION_REGISTRY },
    to: { path: `^src/(${above.join('|')})/`, pathNot: SHARED_FOR_NOW },
  };
}).filter(Boolean);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle (types included) means two modules cannot be understood apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...againstTheFlow,
    {
      name: 'unknown-folder',
      comment: 'Every folder under src/ has a place in LAYERS (.dependency-cruiser.cjs) and a line in src/README.md.',
      severity: 'error',
      from: { path: `^src/(?!(${LAYERS.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'to-unknown-folder',
      comment: 'Every folder under src/ has a place in LAYERS (.dependency-cruiser.cjs) and a line in src/README.md.',
      severity: 'error',
      from: {},
      to: { path: `^src/(?!(${LAYERS.join('|')})/)[^/]+/` },
    },
    {
      name: 'migrations-import-nothing-above',
      comment: 'A migration is SQL its folder owns: it imports only from its own folder, and only the registry imports it.',
      severity: 'error',
      from: { path: MIGRATION },
      to: { path: '^src/', pathNot: '^src/$1/' },
    },
    {
      name: 'registry-lists-only-migrations',
      comment: 'The migration registry may reach above storage/ only for migration files.',
      severity: 'error',
      from: { path: MIGRATION_REGISTRY },
      to: { path: '^src/', pathNot: ['^src/storage/', '^src/[^/]+/migrations/[^/]+[.]ts$'] },
    },
    ...SURFACES.map((surface) => ({
      name: `surface-${surface}`,
      comment: `other folders import ${surface}/ through ${surface}/index.ts, its public surface`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/${surface}/` },
      to: { path: `^src/${surface}/`, pathNot: `^src/${surface}/index[.]ts$` },
    })),
    {
      name: 'no-barrel-elsewhere',
      comment: `only ${SURFACES.join(', ')} have a public index.ts; elsewhere import the module that defines the thing`,
      severity: 'error',
      from: { path: '^src/' },
      to: { path: `^src/(?!(${SURFACES.join('|')})/)[^/]+/index[.]ts$` },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
