import { createHash } from 'node:crypto';
import type { Db } from '../storage/db.js';

/**
 * @fastify/session's store over the API's database (migration 016): sessions survive a restart
 * and are shared by every `serve` process behind one load balancer. Rows are keyed by the
 * SHA-256 of the session id (the cookie's secret part), and expire on the server's clock.
 */
type Callback<T = void> = (err?: Error | null, value?: T) => void;

export class DbSessionStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get(id: string, callback: (err: Error | null, session?: any) => void): void {
    this.db
      .query<{ data: Record<string, unknown> | string }>('SELECT data FROM portal_sessions WHERE id_hash = $1 AND expires_at > now()', [hash(id)])
      .then(([row]) => callback(null, row ? (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) : null))
      .catch((err: unknown) => this.fail(err, callback));
  }

  set(id: string, session: object, callback: Callback): void {
    // The cookie's own options are the plugin's: only the session's data is kept.
    const { cookie: _cookie, ...data } = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    this.db
      .query(
        `INSERT INTO portal_sessions (id_hash, data, expires_at) VALUES ($1, $2::jsonb, now() + $3 * interval '1 millisecond')
         ON CONFLICT (id_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [hash(id), JSON.stringify(data), this.ttlMs()],
      )
      .then(() => callback(null))
      .catch((err: unknown) => this.fail(err, callback));
  }

  destroy(id: string, callback: Callback): void {
    this.db
      .query('DELETE FROM portal_sessions WHERE id_hash = $1', [hash(id)])
      .then(() => callback(null))
      .catch((err: unknown) => this.fail(err, callback));
  }

  /** Deletes expired rows; returns how many. */
  async sweep(): Promise<number> {
    const rows = await this.db.query('DELETE FROM portal_sessions WHERE expires_at <= now() RETURNING 1');
    return rows.length;
  }

  private fail(err: unknown, callback: (err: Error) => void): void {
    this.onError(err);
    callback(new Error('session store unavailable'));
  }
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
