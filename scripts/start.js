// `npm start`: the embedded demo. Runs the engine over the sample events (config/embedded.yaml:
// no Kafka, PGlite under .segmentloom/data), makes a demo owner key, then serves the API and the
// Privacy Portal on a local port (PORT, default 8080) and prints the portal's URL.
// The demo keys below are the PUBLIC ones of config/embedded.yaml: for this local demo only.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/segmentloom.js', import.meta.url));
const config = fileURLToPath(new URL('../config/embedded.yaml', import.meta.url));
const dataDir = fileURLToPath(new URL('../.segmentloom/data', import.meta.url));
const env = {
  ...process.env,
  SEGMENTLOOM_MASTER_KEYS: process.env.SEGMENTLOOM_MASTER_KEYS ?? '1:c2VnbWVudGxvb20tZGVtby1tYXN0ZXIta2V5LXYxLTA=',
  SEGMENTLOOM_LOOKUP_KEY: process.env.SEGMENTLOOM_LOOKUP_KEY ?? 'c2VnbWVudGxvb20tZGVtby1sb29rdXAta2V5LWNoYW5nZS1tZSE=',
};
const port = process.env.PORT ?? '8080';

const engine = spawnSync(process.execPath, [bin, 'run', '--config', config], { stdio: 'inherit', env });
if (engine.status !== 0) process.exit(engine.status ?? 1);

const key = spawnSync(process.execPath, [bin, 'keys', 'create', '--name', 'portal-demo', '--role', 'owner', '--data-dir', dataDir], { env, encoding: 'utf8' });
if (key.status !== 0) {
  process.stderr.write(key.stderr);
  process.exit(key.status ?? 1);
}
const token = /sl_\S+/.exec(key.stdout)?.[0];

const serve = spawn(process.execPath, [bin, 'serve', '--config', config, '--port', port, '--data-dir', dataDir, '--log-level', 'warn'], {
  stdio: 'inherit',
  env,
});
// Printed once the server answers, so the URL works when it is read.
const ready = setInterval(async () => {
  const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) return;
  clearInterval(ready);
  process.stdout.write(`\nPrivacy Portal: http://127.0.0.1:${port}/portal/\n`);
  if (token) process.stdout.write(`Sign in with the demo owner key (shown once): ${token}\n`);
  process.stdout.write('Stop with Ctrl+C.\n');
}, 250);
ready.unref();
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => serve.kill(signal));
serve.on('exit', (code) => process.exit(code ?? 0));
