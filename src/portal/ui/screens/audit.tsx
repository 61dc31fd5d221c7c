import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { Status, when } from './common.tsx';

export function Audit() {
  const [pages, setPages] = useState<any[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = async (after?: number) => {
    try {
      const r = await get(`/audit${qs({ limit: 100, after })}`);
      setPages((p) => (after === undefined ? r.items : [...p, ...r.items]));
      setNext(r.next);
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  useEffect(() => void load(), []);
  return (
    <>
      <h1>Audit log</h1>
      <p>
        <a class="button" href="/audit/export" download="audit.ndjson">
          Export (NDJSON)
        </a>
      </p>
      <Status message={message} />
      <div class="table-wrap">
        <table>
          <caption>Who did what, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {pages.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>
                  <code>{e.actor.keyId ?? 'cli'}</code> ({e.actor.role})
                </td>
                <td>{e.action}</td>
                <td>
                  {e.target.type} <code>{e.target.id ?? ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next !== null && (
        <button type="button" onClick={() => load(next)}>
          More
        </button>
      )}
    </>
  );
}
