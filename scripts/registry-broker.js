// A real Confluent-compatible schema registry for development and tests, without Docker:
// Apicurio Registry 2.x (Apache-2.0), fetched from Maven Central as
// io.apicurio:apicurio-registry-app:<v>:tar.gz:all, run on a free port with its in-memory (H2)
// storage. Its Confluent API lives under /apis/ccompat/v7, which is what
// @kafkajs/confluent-schema-registry talks to. Plain Node ESM, built-ins only (plus the `tar` tool).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CACHE_DIR,
  exists,
  launchJava,
  freePorts,
  javaAvailable,
  mavenAvailable,
  onPath,
  progress,
  readJson,
  runMaven,
  waitUntil,
  withLock,
} from './java-service.js';

export { DEFAULT_CACHE_DIR, javaAvailable, mavenAvailable };

export const APICURIO_VERSION = process.env.APICURIO_VERSION ?? '2.6.13.Final';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MARKER = '.complete.json';
export const CCOMPAT_PATH = '/apis/ccompat/v7';

/**
 * @typedef {object} StartRegistryOptions
 * @property {string} [cacheDir]
 * @property {string} [logDir]
 * @property {number} [readyTimeoutMs]
 * @property {boolean} [detached]
 */
/**
 * @typedef {object} RunningRegistry
 * @property {string} url Confluent-compatible base URL: http://127.0.0.1:PORT/apis/ccompat/v7
 * @property {string} baseUrl http://127.0.0.1:PORT
 * @property {number} pid
 * @property {string} dir
 * @property {string} logFile
 * @property {string} version
 * @property {() => Promise<void>} stop
 */

/** @param {string} cacheDir @param {string} version */
function installDir(cacheDir, version) {
  return join(cacheDir, 'registry', `apicurio-registry-${version}`);
}

/** @param {string} dir @returns {{ runner: string } | undefined} */
function cachedInstall(dir) {
  const marker = readJson(join(dir, MARKER));
  if (!marker?.runner || !exists(join(dir, marker.runner))) return undefined;
  return marker;
}

/** True when the registry is already unpacked in the cache (so mvn is not needed). @param {{ cacheDir?: string }} [opts] */
export function registryCached({ cacheDir = DEFAULT_CACHE_DIR } = {}) {
  return Boolean(cachedInstall(installDir(cacheDir, APICURIO_VERSION)));
}

/**
 * Makes sure Apicurio Registry is unpacked under <cacheDir>/registry. Runs mvn only when missing.
 * Resolves with { dir, runner, version, fetched }.
 * @param {{ cacheDir?: string; version?: string }} [opts]
 * @returns {Promise<{ dir: string; runner: string; version: string; fetched: boolean }>}
 */
export async function ensureRegistry({ cacheDir = DEFAULT_CACHE_DIR, version = APICURIO_VERSION } = {}) {
  const dir = installDir(cacheDir, version);
  const hit = cachedInstall(dir);
  if (hit) return { dir, runner: join(dir, hit.runner), version, fetched: false };

  return withLock(join(cacheDir, '.registry.lock'), async () => {
    const again = cachedInstall(dir);
    if (again) return { dir, runner: join(dir, again.runner), version, fetched: false };
    if (!mavenAvailable()) throw new Error('mvn is not on PATH: install Maven (and Java 17) to fetch Apicurio Registry');
    if (!onPath('tar')) throw new Error('tar is not on PATH: needed to unpack Apicurio Registry');

    const download = mkdtempSync(join(tmpdir(), 'segmentloom-registry-dl-'));
    const staging = `${dir}.staging-${process.pid}`;
    try {
      const t0 = Date.now();
      progress(`fetching Apicurio Registry ${version} from Maven Central with mvn (first run only) …`);
      const artifact = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
      const { code, output } = await runMaven(
        [`${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${artifact}`, `-DoutputDirectory=${download}`, '-Dmdep.overWriteReleases=true'],
        { cwd: download },
      );
      const archive = readdirSync(download).find((f) => f.endsWith('.tar.gz'));
      if (code !== 0 || !archive) throw new Error(`could not fetch ${artifact} (mvn exited ${code}):\n${output.slice(-1500)}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      const untar = spawnSync('tar', ['-xzf', join(download, archive), '-C', staging], { encoding: 'utf8' });
      if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
      const runner = readdirSync(staging).find((f) => f.endsWith('-runner.jar'));
      if (!runner) throw new Error(`${artifact} has no *-runner.jar at its top level`);
      writeFileSync(join(staging, MARKER), JSON.stringify({ version, runner, fetchedAt: new Date().toISOString() }, null, 2));
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      progress(`Apicurio Registry ${version} cached in ${dir} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      return { dir, runner: join(dir, runner), version, fetched: true };
    } finally {
      rmSync(download, { recursive: true, force: true });
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

/** @param {string} url */
async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts Apicurio Registry (in-memory storage) on a free port.
 * Options: cacheDir, logDir (default: the temp dir), readyTimeoutMs (120s), detached.
 * Resolves with { url (the Confluent-compatible base: http://127.0.0.1:PORT/apis/ccompat/v7),
 * baseUrl, pid, dir, logFile, stop() }.
 * @param {StartRegistryOptions} [opts]
 * @returns {Promise<RunningRegistry>}
 */
export async function startRegistry({ cacheDir = DEFAULT_CACHE_DIR, logDir, readyTimeoutMs = 120_000, detached = false } = {}) {
  if (!javaAvailable()) throw new Error('java is not on PATH: install a JDK (17) to run the local schema registry');
  const { runner, version } = await ensureRegistry({ cacheDir });
  const dir = mkdtempSync(join(tmpdir(), 'segmentloom-registry-'));
  const [port] = /** @type {[number]} */ (await freePorts(1));
  if (logDir) mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir ?? dir, logDir ? `registry-${port}.log` : 'registry.log');
  const { child, pid, stop } = launchJava({
    args: [
      '-Xmx384m',
      '-Xms128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dquarkus.http.port=${port}`,
      '-Dquarkus.http.host=127.0.0.1',
      `-Djava.io.tmpdir=${dir}`,
      '-jar',
      runner,
    ],
    dir,
    logFile,
    what: 'schema registry',
    detached,
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}${CCOMPAT_PATH}`;
  try {
    await waitUntil({
      what: `Apicurio Registry (pid ${pid})`,
      child,
      logFile,
      timeoutMs: readyTimeoutMs,
      check: () => httpOk(`${url}/subjects`),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, baseUrl, pid, dir, logFile, version, stop };
}
