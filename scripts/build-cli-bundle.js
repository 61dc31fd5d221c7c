// Run by `npm run build` after tsc: bundles `segmentloom scan` (dist/cli/commands/scan.js and what
// it imports, zod, libphonenumber-js and tldts included) into one module, dist/bundle/scan.js.
// Why: scan's start-up was spent resolving, reading and compiling ~270 separate modules (and
// lexing CommonJS packages for their exports), not running them; one file loads in a fraction.
// src/cli/main.ts uses the bundle only while it is newer than the tsc output it was made from
// (a later `tsc` alone makes it stale and the separate modules are loaded again).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');

/**
 * Kept out of the bundle, imported from dist/ as they are: core/ and the CLI's shared modules are
 * also loaded by dist/cli/main.js, and must be the same instances (main.js tells an error with an
 * exit status by `instanceof SegmentloomError`).
 */
const SHARED = [path.join(dist, 'core') + path.sep, path.join(dist, 'cli') + path.sep];

/** Native (re2) or loaded only when needed through createRequire (compromise, yaml, the schema registry client). */
const EXTERNAL_PACKAGES = ['re2', 'compromise', 'yaml', '@kafkajs/confluent-schema-registry'];

/** @type {import('esbuild').Plugin} */
const shared = {
  name: 'segmentloom-shared-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!target.startsWith(dist + path.sep)) return undefined;
      // No module of src/ acts on import alone (none is imported for its side effects): what scan
      // does not use is left out, e.g. the YAML and zod classifier parsing the detect surface
      // re-exports, which the built-in set never needs (it is read from the classifier cache).
      if (!SHARED.some((dir) => target.startsWith(dir))) return { path: target, sideEffects: false };
      return { path: `./${path.relative(outdir, target).split(path.sep).join('/')}`.replace(/^\.\/\.\./, '..'), external: true };
    });
  },
};

export async function buildCliBundle() {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { scan: path.join(dist, 'cli', 'commands', 'scan.js') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL_PACKAGES,
    plugins: [shared],
    // Bundled CommonJS (tldts, fastest-levenshtein) calls require(); an ES module has none.
    banner: { js: "import { createRequire as __segmentloomRequire } from 'node:module';\nconst require = __segmentloomRequire(import.meta.url);" },
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // BUNDLE_REPORT=1: what the bundle is made of, bytes per input (to see what a change pulled in).
  if (process.env.BUNDLE_REPORT) {
    for (const output of Object.values(result.metafile.outputs)) {
      for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) console.log(bytesInOutput, file);
    }
  }
  return Object.keys(result.metafile.inputs).length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inputs = await buildCliBundle();
  console.log(`scan bundle: ${inputs} modules in dist/bundle/scan.js`);
}
