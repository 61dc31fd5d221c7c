#!/usr/bin/env node
// One-off restructuring tool (issue 12): moves files by move-map.json and rewrites every relative
// import/export/dynamic import/vi.mock specifier that points at an old path to the new path.
//
//   node scripts/restructure/rewrite-imports.mjs [--map path/to/move-map.json] [--dry-run] [--no-git]
//
// Run at a repository root. Idempotent: files already at their new path are left where they are,
// specifiers already pointing at new paths are left as written. Safe on a tree where other branches
// have since added files that import old paths (they get rewritten), and on files that a merge placed
// at their new path while they still carry specifiers written for the old folder (resolved from the
// old folder when the new folder has no such file).
//
// Then, in src/ only, an import from another folder into a folder whose index.ts is its public
// surface (SURFACES: events, detect, policy) is pointed at that index.ts when the index exports
// every name the import asks for (otherwise it is reported, to export the name or fix by hand).
//
// Specifiers keep the conventions used here: `.js` extensions on TypeScript sources, `../dist/…`
// in the plain-JS benchmarks and bin (dist/X.js is the build of src/X.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const useGit = !args.includes('--no-git');
const mapArg = args.indexOf('--map');
const here = dirname(fileURLToPath(import.meta.url));
const mapPath = mapArg >= 0 ? args[mapArg + 1] : join(here, 'move-map.json');
if (!mapPath || !existsSync(mapPath)) fail(`move map not found: ${mapPath}`);
const mapFile = /** @type {string} */ (mapPath);

const root = process.cwd();
if (!existsSync(join(root, 'package.json')) || !existsSync(join(root, 'src'))) fail('run this at the repository root (no package.json or src/ here)');

/** @type {Record<string, string>} old -> new, repository-relative posix paths */
const map = JSON.parse(readFileSync(mapFile, 'utf8'));
/** @type {Map<string, string>} new -> old */
const reverse = new Map();
for (const [from, to] of Object.entries(map)) {
  if (from === to) fail(`move map entry moves ${from} onto itself`);
  if (reverse.has(to)) fail(`move map sends two files to ${to}`);
  if (map[to] !== undefined) fail(`move map chains moves through ${to}; give the final path directly`);
  reverse.set(to, from);
}

const ROOTS = ['src', 'test', 'benchmarks', 'scripts', 'bin'];
const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
/** @param {string} line */
const log = (line) => process.stdout.write(`${line}\n`);

// 1. Moves: every old path that still exists goes to its new path (never over an existing file).
/** @type {Map<string, string>} */
const movedNow = new Map(); // new -> old, for files moved in this run
for (const [from, to] of Object.entries(map)) {
  const fromAbs = join(root, from);
  const toAbs = join(root, to);
  if (!existsSync(fromAbs)) continue;
  if (existsSync(toAbs)) {
    log(`skip move ${from} -> ${to}: both exist (resolve by hand: merge the old file into the new one)`);
    continue;
  }
  log(`move ${from} -> ${to}`);
  movedNow.set(to, from);
  if (dryRun) continue;
  mkdirSync(dirname(toAbs), { recursive: true });
  if (useGit && tracked(from)) execFileSync('git', ['mv', from, to], { cwd: root, stdio: 'inherit' });
  else renameSync(fromAbs, toAbs);
}

/** Does a file exist at `path` once this run's moves are done? @param {string} path */
function existsAfter(path) {
  if (dryRun) {
    if (movedNow.has(path)) return true;
    if ([...movedNow.values()].includes(path)) return false;
  }
  return existsSync(join(root, path));
}

// 2. Specifiers.
const SPECIFIER =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bvi\.(?:mock|doMock|unmock|doUnmock|importActual|importMock)\s*\(\s*|\brequire\s*\(\s*|\bnew\s+URL\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]*)\2/g;

let changedFiles = 0;
let changedSpecifiers = 0;
for (const file of ROOTS.flatMap((dir) => walk(dir))) {
  const origin = movedNow.get(file) ?? file; // where the file's specifiers were written
  const abs = join(root, dryRun && movedNow.has(file) ? origin : file);
  if (dryRun && [...movedNow.values()].includes(file)) continue; // seen under its new name
  const text = readFileSync(abs, 'utf8');
  let count = 0;
  const out = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
    const next = rewrite(file, origin, spec);
    if (next === spec) return whole;
    count += 1;
    return `${lead}${quote}${next}${quote}`;
  });
  if (count === 0) continue;
  changedFiles += 1;
  changedSpecifiers += count;
  log(`rewrite ${file}: ${count} specifier${count === 1 ? '' : 's'}`);
  if (!dryRun) writeFileSync(abs, out);
}
// 3. Public surfaces: src/ imports from another folder go through the folder's index.ts.
const SURFACES = ['events', 'detect', 'policy'];
const NAMED = /(\b(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*)(['"])(\.{1,2}\/[^'"\n]*)\3/g;
/** @type {Map<string, Set<string>>} */
const surfaceNames = new Map();
let routed = 0;
for (const file of dryRun ? [] : walk('src')) {
  const folder = file.split('/')[1];
  const text = readFileSync(join(root, file), 'utf8');
  let count = 0;
  const out = text.replace(NAMED, (whole, lead, names, quote, spec) => {
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    const into = target.split('/')[1];
    if (!target.startsWith('src/') || into === undefined || into === folder || !SURFACES.includes(into)) return whole;
    const index = `src/${into}/index.ts`;
    if (target === `src/${into}/index.js` || !existsSync(join(root, index))) return whole;
    const wanted = names
      .split(',')
      .map((/** @type {string} */ n) =>
        n
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]
          ?.trim(),
      )
      .filter(Boolean);
    const exported = namesOf(index);
    const missing = wanted.filter((/** @type {string} */ n) => !exported.has(n));
    if (missing.length > 0) {
      log(`surface ${file}: ${spec} asks for ${missing.join(', ')}, which ${index} does not export (export it there, then re-run)`);
      return whole;
    }
    count += 1;
    let next = posix.relative(posix.dirname(file), `src/${into}/index.js`);
    if (!next.startsWith('.')) next = `./${next}`;
    return `${lead}${quote}${next}${quote}`;
  });
  if (count === 0) continue;
  routed += count;
  log(`surface ${file}: ${count} import${count === 1 ? '' : 's'} through index.ts`);
  writeFileSync(join(root, file), out);
}
if (routed > 0) log(`${routed} import(s) pointed at a folder's index.ts`);

/**
 * The names an index.ts exports (re-exports, aliases and its own declarations).
 * @param {string} index
 * @returns {Set<string>}
 */
function namesOf(index) {
  const known = surfaceNames.get(index);
  if (known) return known;
  const text = readFileSync(join(root, index), 'utf8');
  /** @type {Set<string>} */
  const names = new Set();
  for (const m of text.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  for (const m of text.matchAll(/\bexport\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g))
    if (m[1]) names.add(m[1]);
  surfaceNames.set(index, names);
  return names;
}

log(`${movedNow.size} file(s) moved, ${changedSpecifiers} specifier(s) in ${changedFiles} file(s) rewritten${dryRun ? ' (dry run)' : ''}`);

/**
 * The specifier `spec`, found in `file` (now at `file`, written at `origin`), for the new layout.
 * Returns `spec` itself when nothing it points at has moved.
 * @param {string} file
 * @param {string} origin
 * @param {string} spec
 * @returns {string}
 */
function rewrite(file, origin, spec) {
  const [bare, suffix] = splitSuffix(spec);
  /** @param {string} fromDir */
  const attempt = (fromDir) => {
    const target = posix.normalize(posix.join(fromDir, bare));
    const source = sourceOf(target);
    if (source === undefined) return undefined;
    const moved = map[source.path];
    const finalSource = moved ?? source.path;
    return { target, source, moved: moved !== undefined, finalSource };
  };

  let hit = attempt(posix.dirname(origin));
  let reanchored = origin !== file;
  // A file a merge put at its new path may still carry specifiers written for its old folder.
  const oldHome = reverse.get(file);
  if (oldHome !== undefined && origin === file && (hit === undefined || !existsAfter(hit.finalSource))) {
    const fromOld = attempt(posix.dirname(oldHome));
    if (fromOld !== undefined && existsAfter(fromOld.finalSource)) {
      hit = fromOld;
      reanchored = true;
    }
  }
  if (hit === undefined) return spec;
  if (!hit.moved && !reanchored) return spec;

  const newTarget = hit.source.toSpecTarget(hit.finalSource);
  let next = posix.relative(posix.dirname(file), newTarget);
  if (!next.startsWith('.')) next = `./${next}`;
  return next + suffix;
}

/**
 * `?query` / `#hash` suffixes (rare) stay as they are.
 * @param {string} spec
 * @returns {[string, string]}
 */
function splitSuffix(spec) {
  const at = spec.search(/[?#]/);
  return at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at)];
}

/**
 * Which source file a resolved specifier target names, as a map key, and how to turn a (possibly
 * moved) source path back into a specifier target of the same form (extension, dist/ prefix).
 * @param {string} target
 * @returns {{ path: string; toSpecTarget: (src: string) => string } | undefined}
 */
function sourceOf(target) {
  // Plain JS outside src imports the build: dist/X.js is src/X.ts.
  const dist = /^dist\/(.*)\.js$/.exec(target);
  if (dist) {
    const path = `src/${dist[1]}.ts`;
    return { path, toSpecTarget: (/** @type {string} */ src) => `dist/${src.slice('src/'.length).replace(/\.ts$/, '.js')}` };
  }
  for (const [written, real] of /** @type {[string, string][]} */ ([
    ['.js', '.ts'],
    ['.mjs', '.mts'],
    ['.js', '.js'],
    ['.mjs', '.mjs'],
    ['.ts', '.ts'],
    ['.cjs', '.cjs'],
  ])) {
    if (!target.endsWith(written)) continue;
    const path = target.slice(0, -written.length) + real;
    if (map[path] !== undefined || reverse.has(path) || existsAfter(path) || existsSync(join(root, path))) {
      return { path, toSpecTarget: (/** @type {string} */ src) => src.slice(0, -real.length) + written };
    }
  }
  return undefined;
}

/**
 * @param {string} dir
 * @returns {string[]}
 */
function walk(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  /** @type {string[]} */
  const found = [];
  for (const name of readdirSync(abs)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = posix.join(dir, name);
    const st = statSync(join(root, path));
    if (st.isDirectory()) found.push(...walk(path));
    else if (EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts.map')) found.push(path);
  }
  if (dryRun && dir === ROOTS.find((r) => r === dir)) {
    for (const [to, from] of movedNow) if (from.startsWith(`${dir}/`) && !found.includes(to)) found.push(to);
  }
  return found;
}

/** @param {string} path */
function tracked(path) {
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', path], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`rewrite-imports: ${message}\n`);
  process.exit(1);
}
