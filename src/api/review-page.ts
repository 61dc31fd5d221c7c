import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Where an alert's "Review in inbox" link lands when a person opens it in a browser: the link is
 * the API's `/inventory/inbox?source=…&event=…&path=…`, which needs an API key, so a browser (no
 * Authorization header, asking for HTML) gets this page instead of `401 unauthorized`. It says
 * which point the alert is about (source, event and path, as in the link: key names, never a
 * value) and how to sign in and review it, until the portal serves /portal/... API clients (a
 * token, or an Accept without text/html) get the API's answer as before.
 *
 * The page has the API's security headers (src/api/headers.ts) and a CSP that allows only its own
 * inline style, by hash: no script, no image, no form, no framing.
 */

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}code,pre{font:14px ui-monospace,monospace;background:#f3f3f5;border-radius:4px}pre{padding:.6rem;overflow-x:auto}dt{font-weight:600}dd{margin:0 0 .5rem}';

export const REVIEW_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

/** Key names from the link, cut and escaped: shown as text, never markup. */
function text(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const cut = value.length > 256 ? `${value.slice(0, 255)}…` : value;
  return cut.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A query value for a URL inside single quotes (encodeURIComponent leaves `'` as it is). */
const enc = (value: unknown) => encodeURIComponent(String(value)).replace(/'/g, '%27');

/** A single-quoted shell word (inside HTML, already escaped). */
const shell = (escaped: string) => `'${escaped.replace(/&#39;/g, "'\\''")}'`;

export function reviewPage(query: Record<string, unknown>, baseUrl: string): string {
  const source = text(query.source);
  const event = text(query.event);
  const path = text(query.path);
  const point = source && event && path;
  const what = point
    ? `<dl><dt>Source</dt><dd><code>${source}</code></dd><dt>Event</dt><dd><code>${event}</code></dd><dt>Path</dt><dd><code>${path}</code></dd></dl>`
    : '<p>This link names no complete data point (source, event and path); the inbox lists every point waiting for review.</p>';
  const key = point ? ` ${shell(source)} ${shell(event)} ${shell(path)}` : ' SOURCE EVENT PATH';
  const filters = point ? ` --source ${shell(source)} --event ${shell(event)} --path ${shell(path)}` : ' --status inbox';
  const q = point ? `?source=${enc(query.source)}&amp;event=${enc(query.event)}&amp;path=${enc(query.path)}` : '';
  const base = text(baseUrl) ?? '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Segmentloom: a data point to review</title><style>${STYLE}</style></head>
<body>
<h1>A data point to review</h1>
<p>Segmentloom found personal data at a place in your event stream that nobody has reviewed yet.</p>
${what}
<p>The value seen there is not shown on this page, and never in full anywhere: the inventory keeps
only a masked example, visible once you sign in.</p>
<h2>Sign in and review it</h2>
<p>The inventory is served to holders of an API key. With access to the engine's config, on the command line:</p>
<pre>segmentloom inventory list${filters} --config ENGINE.yaml
segmentloom inventory accept${key} --as red --config ENGINE.yaml</pre>
<p>Or through this API with a key (an owner creates one: <code>segmentloom keys create --name YOU --role editor --config ENGINE.yaml</code>):</p>
<pre>curl -H "Authorization: Bearer $SEGMENTLOOM_API_KEY" '${base}/inventory/inbox${q}'</pre>
<p>The web portal will open this point directly once it is installed.</p>
</body></html>
`;
}

/** A browser opening the link: no credentials, and HTML is what it asks for. */
function isBrowser(req: FastifyRequest): boolean {
  if (req.headers.authorization !== undefined) return false;
  const accept = req.headers.accept ?? '';
  return /(^|,)\s*text\/html/i.test(accept);
}

export function registerReviewPage(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || req.routeOptions.url !== '/inventory/inbox' || !isBrowser(req)) return;
    const host = req.headers.host ?? 'localhost';
    const baseUrl = `${req.protocol}://${host}`;
    await reply
      .header('content-security-policy', REVIEW_PAGE_CSP)
      .type('text/html; charset=utf-8')
      .send(reviewPage(req.query as Record<string, unknown>, baseUrl));
    return reply;
  });
}
