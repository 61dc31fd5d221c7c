// A throwaway PostgreSQL cluster for tests that need a server of their own (TLS settings, stopping
// and starting it): initdb into a temp dir, pg_ctl start on a free port, listening on 127.0.0.1
// only. With `tls`, ssl=on with the given certificate and key, TLS 1.2 minimum, and pg_hba refusing
// every connection that is not TLS. Plain Node ESM, built-ins only.
//
// initdb refuses to run as root: as root, the cluster is made and run as the `postgres` user.
import { spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './java-service.js';

/** The directory of initdb/pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function pgBinDir() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  return newest !== undefined ? join(root, newest, 'bin') : undefined;
}

export function pgClusterAvailable() {
  return pgBinDir() !== undefined;
}

function pgUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root and there is no postgres user to run initdb as');
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * @typedef {object} PgCluster
 * @property {string} host
 * @property {number} port
 * @property {string} dir
 * @property {string} logFile
 * @property {(database?: string, query?: string) => string} url postgres://postgres@127.0.0.1:PORT/DATABASE[?QUERY]
 * @property {() => Promise<void>} start
 * @property {() => Promise<void>} stop
 * @property {() => Promise<void>} destroy Stops it and removes its directory.
 */

/**
 * @param {{ uid: number; gid: number } | undefined} user
 * @param {string} bin
 * @param {string[]} args
 * @param {string} what
 */
function runAs(user, bin, args, what) {
  const command = user ? 'runuser' : bin;
  const argv = user ? ['-u', 'postgres', '--', bin, ...args] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${((result.stdout ?? '') + (result.stderr ?? '')).slice(-3000)}`);
  return result.stdout;
}

/**
 * Starts a cluster. Options: tls ({ certFile, keyFile }: the server certificate; copied into the
 * data dir, key 0600 as PostgreSQL demands). Resolves with { host, port, dir, url(database?, query?),
 * stop(), start(), destroy() }: stop/start keep the data (a fault test stops the server mid-stream).
 * @param {{ tls?: { certFile: string; keyFile: string } }} [opts]
 * @returns {Promise<PgCluster>}
 */
export async function startPgCluster({ tls } = {}) {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (initdb, pg_ctl): install postgresql or set PG_BIN');
  const user = pgUser();
  const dir = mkdtempSync(join(tmpdir(), 'segmentloom-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  runAs(user, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], 'initdb');
  const [port] = /** @type {[number]} */ (await freePorts(1));
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'shared_buffers = 32MB',
    'max_connections = 50',
  ];
  const hba = ['local all all trust'];
  if (tls) {
    for (const [from, to] of /** @type {[string, string][]} */ ([
      [tls.certFile, 'server.crt'],
      [tls.keyFile, 'server.key'],
    ])) {
      copyFileSync(from, join(data, to));
      chmodSync(join(data, to), 0o600);
      if (user) chownSync(join(data, to), user.uid, user.gid);
    }
    settings.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "ssl_min_protocol_version = 'TLSv1.2'");
    // TLS or nothing: a client that does not negotiate TLS is refused by pg_hba itself.
    hba.push('hostssl all all 127.0.0.1/32 trust', 'hostnossl all all 127.0.0.1/32 reject');
  } else {
    hba.push('host all all 127.0.0.1/32 trust');
  }
  appendFileSync(join(data, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  writeFileSync(join(data, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  const logFile = join(dir, 'postgres.log');
  if (user) {
    writeFileSync(logFile, '');
    chownSync(logFile, user.uid, user.gid);
  }
  /** @param {'start' | 'stop'} action */
  const pgCtl = (action) =>
    runAs(user, join(bin, 'pg_ctl'), [action, '-D', data, '-w', '-t', '60', ...(action === 'start' ? ['-l', logFile] : ['-m', 'fast'])], `pg_ctl ${action}`);
  let running = false;
  /** @type {PgCluster} */
  const cluster = {
    host: '127.0.0.1',
    port,
    dir,
    logFile,
    url: (database = 'postgres', query = '') => `postgres://postgres@127.0.0.1:${port}/${database}${query ? `?${query}` : ''}`,
    async start() {
      pgCtl('start');
      running = true;
    },
    async stop() {
      if (running) pgCtl('stop');
      running = false;
    },
    async destroy() {
      try {
        await cluster.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
