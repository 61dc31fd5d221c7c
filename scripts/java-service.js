// Shared plumbing for the JVM services the tests run without Docker (Kafka broker, schema registry):
// fetching artifacts from Maven Central with mvn, free ports, a cross-process lock, readiness polling,
// and stopping a detached java process. Plain Node ESM, built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.kafka');

/** @param {number} ms @returns {Promise<void>} */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {string} msg */
export function progress(msg) {
  process.stderr.write(`[segmentloom] ${msg}\n`);
}

/** True when `cmd` resolves on PATH (no shell involved). @param {string} cmd */
export function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    try {
      if (statSync(join(dir, cmd)).isFile()) return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/**
 * `count` distinct free TCP ports on 127.0.0.1 (bind port 0, hold all, then release).
 * @param {number} count
 * @returns {Promise<number[]>}
 */
export async function freePorts(count) {
  /** @type {import('node:net').Server[]} */
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      await new Promise((res, rej) => {
        srv.once('error', rej);
        srv.listen(0, '127.0.0.1', () => res(undefined));
      });
      servers.push(srv);
    }
    return servers.map((s) => /** @type {import('node:net').AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}

/**
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((res) => {
    const sock = connect({ host, port });
    /** @param {boolean} ok */
    const done = (ok) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Last `bytes` of a file as text ('' when missing). @param {string} file */
export function tailFile(file, bytes = 4000) {
  try {
    const size = statSync(file).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8');
  } catch {
    return '';
  }
}

/** @param {number} pid */
export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/** Command line of a live pid (Linux /proc), or '' when unknown. @param {number} pid */
export function pidCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Cross-process lock via an atomic mkdir, so two runs (say `npm run kafka:up` and a test run) do not
 * fetch into the same cache at once. A lock whose owner pid is gone is taken over.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<T>}
 */
export async function withLock(lockDir, fn, { timeoutMs = 15 * 60_000 } = {}) {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* owner still writing its pid, or gone */
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir}`);
      if (!announced) {
        progress(`waiting for another process holding ${lockDir}`);
        announced = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs mvn quietly in batch mode; resolves with { code, output }.
 * @param {string[]} args
 * @param {{ cwd: string }} opts
 * @returns {Promise<{ code: number; output: string }>}
 */
export function runMaven(args, { cwd }) {
  return new Promise((res, rej) => {
    const child = spawn('mvn', ['-q', '-B', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {Buffer} d */
    const keep = (d) => {
      output += d.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) =>
      rej(
        /** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT'
          ? new Error('mvn is not on PATH: install Maven (and Java 17) to fetch the Kafka jars')
          : err,
      ),
    );
    child.once('close', (code) => res({ code: code ?? 1, output }));
  });
}

export function mavenAvailable() {
  return onPath('mvn');
}

export function javaAvailable() {
  if (!onPath('java')) return false;
  const r = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

/** Reads a JSON marker file, or undefined. @param {string} file @returns {any} */
export function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {string} p */
export function exists(p) {
  return existsSync(p);
}

/**
 * Polls until `check()` resolves truthy. Fails early if the process exited, and on timeout; both
 * errors carry the tail of `logFile`.
 * @param {{ what: string; check: () => unknown; child?: import('node:child_process').ChildProcess;
 *   logFile: string; timeoutMs: number; intervalMs?: number }} opts
 * @returns {Promise<number>} milliseconds until ready
 */
export async function waitUntil({ what, check, child, logFile, timeoutMs, intervalMs = 250 }) {
  const started = Date.now();
  /** @type {{ code: number | null; signal: NodeJS.Signals | null } | null} */
  let exited = null;
  /** @param {number | null} code @param {NodeJS.Signals | null} signal */
  const onExit = (code, signal) => {
    exited = { code, signal };
  };
  child?.once('exit', onExit);
  try {
    for (;;) {
      const ended = /** @type {{ code: number | null; signal: NodeJS.Signals | null } | null} */ (exited);
      if (ended) {
        throw new Error(`${what} exited before it was ready (code ${ended.code}, signal ${ended.signal}). Log tail (${logFile}):\n${tailFile(logFile)}`);
      }
      if (await check()) return Date.now() - started;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${what} not ready after ${Math.round(timeoutMs / 1000)}s. Log tail (${logFile}):\n${tailFile(logFile)}`);
      }
      await sleep(intervalMs);
    }
  } finally {
    child?.off('exit', onExit);
  }
}

/**
 * SIGTERM, wait up to `graceMs`, then SIGKILL. `child` (a ChildProcess) is used when we spawned the
 * process; otherwise the pid is polled.
 * @param {number | undefined} pid
 * @param {{ child?: import('node:child_process').ChildProcess; graceMs?: number }} [opts]
 */
export async function terminate(pid, { child, graceMs = 20_000 } = {}) {
  if (!pid || !pidAlive(pid)) return;
  const gone = child
    ? new Promise((r) => {
        if (child.exitCode !== null || child.signalCode !== null) r(undefined);
        else child.once('exit', () => r(undefined));
      })
    : (async () => {
        while (pidAlive(pid)) await sleep(200);
      })();
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await settlesWithin(gone, graceMs))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await settlesWithin(gone, 5_000);
  }
}

/**
 * Whether `promise` settles within `ms`; the timer is cleared so it never holds the event loop.
 * @param {Promise<unknown>} promise
 * @param {number} ms
 * @returns {Promise<boolean>}
 */
async function settlesWithin(promise, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  /** @type {Promise<boolean>} */
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a tiny detached shell watchdog: when `parentPid` disappears (even by SIGKILL, where no
 * 'exit' handler runs) it stops `pid` and removes `dir`. It ends by itself once `pid` is gone.
 * @param {{ parentPid: number; pid: number; dir: string }} opts
 */
export function spawnWatchdog({ parentPid, pid, dir }) {
  const script = [
    'P=$1; C=$2; D=$3',
    'while kill -0 "$P" 2>/dev/null && kill -0 "$C" 2>/dev/null; do sleep 1; done',
    'if kill -0 "$C" 2>/dev/null; then',
    '  kill -TERM "$C" 2>/dev/null; i=0',
    '  while kill -0 "$C" 2>/dev/null && [ $i -lt 20 ]; do sleep 1; i=$((i+1)); done',
    '  kill -KILL "$C" 2>/dev/null; sleep 1',
    '  rm -rf "$D"',
    'fi',
  ].join('\n');
  const w = spawn('sh', ['-c', script, 'watchdog', String(parentPid), String(pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  w.unref();
  return w;
}

/**
 * Starts a detached `java` process logging to `logFile`, tied to this process: it is killed (and
 * `dir` removed) when this process exits, by 'exit' for normal ends and by a watchdog for signals
 * and SIGKILL. `detached` (for `npm run kafka:up`) lets it outlive this process once `release()` is
 * called. Returns the child, its pid, `release()` and an idempotent `stop()` (SIGTERM, grace period,
 * SIGKILL, then `dir` removed).
 * @param {{ args: string[]; dir: string; logFile: string; what: string; detached?: boolean }} opts
 */
export function launchJava({ args, dir, logFile, what, detached = false }) {
  const out = openSync(logFile, 'a');
  const child = spawn('java', args, { cwd: dir, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const pid = child.pid;
  if (!pid) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not spawn java for the ${what}`);
  }
  const onParentExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort */
    }
  };
  // Detached (`kafka:up`): tied to this process only until `release()` — the caller calls it once
  // the service is ready and recorded, so a Ctrl-C or a kill during startup leaves no orphan JVM.
  process.on('exit', onParentExit);
  const watchdog = spawnWatchdog({ parentPid: process.pid, pid, dir });
  if (detached) child.unref();
  const release = () => {
    process.off('exit', onParentExit);
    try {
      if (watchdog.pid) process.kill(watchdog.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onParentExit);
    await terminate(pid, { child, graceMs: 20_000 });
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  return { child, pid, stop, release };
}
