import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The portal's UI, bundled at build time (scripts/build-portal.js → dist/portal-ui/) and held in
 * memory: no CDN, no web fonts, nothing fetched at run time (air-gapped installs). Its pages get
 * their own Content-Security-Policy — scripts, styles and XHR from this origin only, no inline
 * script or style, no framing — in place of the API's `default-src 'none'`.
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const UI_DIR = fileURLToPath(new URL('../../dist/portal-ui/', import.meta.url));
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
/** The build names each asset after its content (scripts/build-portal.js): app.<hash>.js. */
const HASHED = /^app\.[0-9a-f]{12}\.(js|css)$/;

export function registerAssets(app: FastifyInstance, serve: (file: string) => Buffer | null = readUi, list: () => string[] = listUi): void {
  const index = serve('index.html');
  const files = new Map(
    list()
      .filter((name) => HASHED.test(name))
      .map((name) => [name, serve(name)]),
  );
  app.addHook('onSend', async (req, reply) => {
    if (req.url === '/portal' || req.url.startsWith('/portal/')) reply.header('content-security-policy', PORTAL_CSP);
    // Code, the same for everyone, named after its content: kept by the browser (the API's
    // no-store stays on everything else, this page included).
    if (req.url.startsWith('/portal/assets/') && reply.statusCode === 200) reply.header('cache-control', 'public, max-age=31536000, immutable');
  });
  app.get('/portal', async (_req, reply) => reply.redirect('/portal/', 302));
  app.get('/portal/', async (_req, reply) => {
    if (!index) return reply.code(503).type('text/plain').send('the portal UI is not built: run npm run build');
    return reply.type('text/html; charset=utf-8').send(index);
  });
  app.get<{ Params: { file: string } }>('/portal/assets/:file', async (req, reply) => {
    const body = files.get(req.params.file);
    if (!body) return reply.code(404).type('text/plain').send('not found');
    return reply.type(TYPES[req.params.file.split('.').at(-1)!]!).send(body);
  });
}

function listUi(): string[] {
  try {
    return readdirSync(UI_DIR);
  } catch {
    return [];
  }
}

function readUi(file: string): Buffer | null {
  try {
    return readFileSync(UI_DIR + file);
  } catch {
    return null;
  }
}
