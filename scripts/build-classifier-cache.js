// Run by `npm run build` after tsc: validates the built-in classifiers and writes
// dist/detect/builtin-classifiers.json, which `scan` and the engine compile from at start-up
// instead of parsing the YAML (see src/detect/builtin-cache.ts; a changed file invalidates it).
import { writeBuiltinCache } from '../dist/detect/builtin-cache-write.js';
import { BUILTIN_CLASSIFIERS_DIR } from '../dist/detect/load.js';

const n = await writeBuiltinCache(BUILTIN_CLASSIFIERS_DIR);
console.log(`built-in classifier cache: ${n} definitions`);
