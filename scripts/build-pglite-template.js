// Run by `npm run build` after tsc: makes the embedded store's template once — initdb in
// WebAssembly and every migration — and writes it (PGlite's dumpDataDir) to
// dist/storage/pglite-template.tar.gz, so a new store is loaded from it in about a second instead
// of running initdb and the migrations at first start (see src/storage/pglite-template.ts).
import { silentLogger } from '../dist/core/logger.js';
import { migrate } from '../dist/storage/migrate.js';
import { pgliteForTemplate } from '../dist/storage/pglite-db.js';
import { PGLITE_TEMPLATE_FILE, writePgliteTemplate } from '../dist/storage/pglite-template.js';

const { db, dump } = await pgliteForTemplate();
try {
  const { current } = await migrate(db, { logger: silentLogger() });
  const tarball = await dump();
  writePgliteTemplate(tarball);
  console.log(`embedded store template: migration ${current}, ${(tarball.byteLength / 1024 / 1024).toFixed(1)} MB at ${PGLITE_TEMPLATE_FILE}`);
} finally {
  await db.close();
}
