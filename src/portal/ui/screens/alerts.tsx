import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import type { Session } from '../types.ts';
import { Status } from './common.tsx';

export function Alerts({ session }: { session: Session }) {
  const [items, setItems] = useState<any[] | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    get('/alerts/channels').then(
      (r) => setItems(r.items),
      (e) => setMessage({ kind: 'error', text: e.message }),
    );
  }, []);
  const test = async (name: string) => {
    try {
      const r = await post(`/alerts/channels/${encodeURIComponent(name)}/test`);
      setMessage({ kind: 'ok', text: `Test alert ${r.alertId} delivered to ${name}` });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  return (
    <>
      <h1>Alerts</h1>
      <Status message={message} />
      <div class="table-wrap">
        <table>
          <caption>Alert channels (URLs and keys are credentials and stay on the server)</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items?.length === 0 && (
              <tr>
                <td colSpan={3}>No alert channel configured (the alerts section of the engine config).</td>
              </tr>
            )}
            {items?.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td>
                  {session.can('alerts.test') && (
                    <button type="button" onClick={() => test(c.name)}>
                      Send test alert
                    </button>
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
