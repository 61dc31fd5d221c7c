import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every response, errors and 404s included (@fastify/helmet). The API answers
 * JSON, CSV and NDJSON, and several routes carry decrypted personal data (subject export, inventory
 * examples, requests, the audit log), so:
 * - `Cache-Control: no-store` on everything: no browser, proxy or CDN keeps a copy. Nothing here is
 *   worth the risk of caching one route wrongly.
 * - A CSP that allows nothing (`default-src 'none'`, no framing): a response opened in a browser
 *   runs no script and loads nothing; the portal's HTML will loosen it for its own routes only.
 * - HSTS only when the API itself serves TLS: over plain HTTP the header is ignored and would
 *   mislead (a TLS-terminating proxy in front sets its own).
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and helmet's other defaults.
 */
export async function registerSecurityHeaders(app: FastifyInstance, tls: boolean): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    hsts: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });
}
