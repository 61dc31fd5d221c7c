// Bundles the Privacy Portal's UI (src/portal/ui, Preact + TypeScript) into dist/portal-ui/:
// one ES module, one stylesheet and the HTML page, served by `segmentloom serve` from memory.
// Part of `npm run build`; everything comes from node_modules (no CDN, no fonts, no network).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ui = join(root, 'src/portal/ui');
const out = join(root, 'dist/portal-ui');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(ui, 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(ui, 'app.css'), join(out, 'app.css'));
copyFileSync(join(ui, 'index.html'), join(out, 'index.html'));
