// Bundles the Privacy Portal's UI (src/portal/ui, Preact + TypeScript) into dist/portal-ui/:
// one ES module, one stylesheet and the HTML page, served by `segmentloom serve` from memory.
// Part of `npm run build`; everything comes from node_modules (no CDN, no fonts, no network).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ui = join(root, 'src/portal/ui');
const out = join(root, 'dist/portal-ui');
rmSync(out, { recursive: true, force: true });
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
writeFileSync(join(out, 'app.css'), readFileSync(join(ui, 'app.css')));
// Content-hashed names (app.<hash>.js): the engine serves them as immutable, so a reload of the
// portal fetches only its page; a new build gets new names, never a stale cached file.
/** @type {Record<string, string>} */
const names = {};
for (const file of readdirSync(out)) {
  const hash = createHash('sha256')
    .update(readFileSync(join(out, file)))
    .digest('hex')
    .slice(0, 12);
  const [base, ext] = file.split('.');
  const name = `${base}.${hash}.${ext}`;
  names[file] = name;
  renameSync(join(out, file), join(out, name));
}
const html = readFileSync(join(ui, 'index.html'), 'utf8').replace(/\/portal\/assets\/(app\.(?:js|css))/g, (_, file) => `/portal/assets/${names[file]}`);
writeFileSync(join(out, 'index.html'), html);
