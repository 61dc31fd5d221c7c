import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Commands `npm run build` also bundles into one module each (scripts/build-cli-bundle.js): their
 * start-up was spent loading ~270 separate modules, not running them.
 */
export const BUNDLED_COMMANDS: ReadonlySet<string> = new Set(['scan']);

/**
 * The specifier, relative to main.js at `base`, of the module to import for command `name`: its
 * bundle when there is a fresh one, else its tsc output. Under vitest (src/) there is no bundle.
 */
export function commandSpecifier(name: string, base: string): string {
  const modules = `./commands/${name}.js`;
  if (!BUNDLED_COMMANDS.has(name)) return modules;
  const bundle = `../bundle/${name}.js`;
  return bundleIsFresh(fileURLToPath(new URL(bundle, base)), fileURLToPath(new URL(modules, base))) ? bundle : modules;
}

/**
 * Whether `bundle` exists and is no older than `source`, the tsc output it was made from: tsc
 * rewrites every output on each run, so after a `tsc` alone (no bundling) a bundle of older code
 * is never used.
 */
export function bundleIsFresh(bundle: string, source: string): boolean {
  const made = statSync(bundle, { throwIfNoEntry: false });
  if (made === undefined) return false;
  const compiled = statSync(source, { throwIfNoEntry: false });
  return compiled !== undefined && made.mtimeMs >= compiled.mtimeMs;
}
