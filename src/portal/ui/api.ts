// The portal's only way to the server: the API's own routes, same origin, with the session cookie
// and the CSRF token on every mutating call. Errors carry the API's message (never a value).
let csrfToken = '';
export const setCsrf = (token: string) => void (csrfToken = token);

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export async function call<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  // GETs carry no header of their own, so the page's preloads (index.html) answer them.
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new HttpError(res.status, json?.error?.message ?? `request failed (${res.status})`, json?.error?.code ?? 'error');
  return json as T;
}

/** GETs started before the screen that needs them exists (the first page, beside the session). */
const early = new Map<string, Promise<unknown>>();

/** Starts a GET now; the first `get` of the same path takes its answer instead of asking again. */
export function prefetch(path: string): void {
  const pending = call('GET', path);
  pending.catch(() => undefined); // not signed in yet: the screen that asks again sees the error
  early.set(path, pending);
}

export function get<T = any>(path: string): Promise<T> {
  const pending = early.get(path);
  if (pending === undefined) return call<T>('GET', path);
  early.delete(path);
  // Asked before the sign-in finished: ask again now.
  return pending.catch((err: unknown) => (err instanceof HttpError && err.status === 401 ? call<T>('GET', path) : Promise.reject(err))) as Promise<T>;
}
export const post = <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});

export function qs(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
