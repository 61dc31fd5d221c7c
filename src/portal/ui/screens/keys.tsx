import { useEffect, useState } from 'preact/hooks';
import { call, get, post } from '../api.ts';
import type { Session } from '../types.ts';
import { Status, value, when } from './common.tsx';

export function Keys({ session }: { session: Session }) {
  const [items, setItems] = useState<any[] | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState('viewer');
  const [token, setToken] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const fail = (e: unknown) => setMessage({ kind: 'error', text: (e as Error).message });
  const load = () => get('/keys').then((r) => setItems(r.items), fail);
  useEffect(() => void load(), []);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await post('/keys', { name, role });
      setToken(r.token);
      setName('');
      setMessage({ kind: 'ok', text: `Key ${r.key.id} created: copy its token now, it is shown once` });
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const rotate = async (id: string) => {
    try {
      const r = await post(`/keys/${id}/rotate`, { overlapSeconds: 3600 });
      setToken(r.token);
      setMessage({ kind: 'ok', text: `Key ${id} rotated: the old secret works for one more hour` });
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const revoke = async (id: string) => {
    try {
      await call('DELETE', `/keys/${id}`);
      setMessage({ kind: 'ok', text: `Key ${id} revoked` });
      await load();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <>
      <h1>API keys</h1>
      <form class="card" onSubmit={create} aria-labelledby="new-key">
        <h2 id="new-key">New key</h2>
        <div class="field">
          <label for="k-name">Name</label>
          <input id="k-name" value={name} onInput={(e) => setName(value(e))} required />
        </div>
        <div class="field">
          <label for="k-role">Role</label>
          <select id="k-role" value={role} onChange={(e) => setRole(value(e))}>
            {['viewer', 'editor', 'owner'].map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
      <Status message={message} />
      {token && (
        <p class="token">
          <label for="k-token">New token (shown once)</label>
          <input id="k-token" readOnly value={token} />
        </p>
      )}
      <div class="table-wrap">
        <table>
          <caption>Keys (secrets are never shown again)</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items?.map((k) => (
              <tr key={k.id}>
                <td>
                  <code>{k.id}</code>
                </td>
                <td>{k.name}</td>
                <td>{k.role}</td>
                <td>{k.scopes.join(', ') || '—'}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.revokedAt)}</td>
                <td>
                  {!k.revokedAt && session.can('keys.manage') && (
                    <>
                      <button type="button" onClick={() => rotate(k.id)}>
                        Rotate
                      </button>{' '}
                      <button type="button" class="danger" onClick={() => revoke(k.id)}>
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
