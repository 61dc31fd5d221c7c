import { readFileSync } from 'node:fs';
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
const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

export function registerAssets(app: FastifyInstance, serve: (file: string) => Buffer | null = readUi): void {
  const index = serve('index.html');
  const files = new Map(Object.keys(TYPES).map((name) => [name, serve(name)]));
  app.addHook('onSend', async (req, reply) => {
    if (req.url === '/portal' || req.url.startsWith('/portal/')) reply.header('content-security-policy', PORTAL_CSP);
  });
  app.get('/portal', async (_req, reply) => reply.redirect('/portal/', 302));
  app.get('/portal/', async (_req, reply) => {
    if (!index) return reply.code(503).type('text/plain').send('the portal UI is not built: run npm run build');
    return reply.type('text/html; charset=utf-8').send(index);
  });
  app.get<{ Params: { file: string } }>('/portal/assets/:file', async (req, reply) => {
    const body = files.get(req.params.file);
    if (!body) return reply.code(404).type('text/plain').send('not found');
    return reply.type(TYPES[req.params.file]!).send(body);
  });
}

function readUi(file: string): Buffer | null {
  try {
    return readFileSync(UI_DIR + file);
  } catch {
    return null;
  }
}
