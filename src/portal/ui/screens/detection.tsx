import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import type { Session } from '../types.ts';
import { Badge, Status, value } from './common.tsx';

export function Detection(_: { session: Session }) {
  const [items, setItems] = useState<any[] | null>(null);
  const [path, setPath] = useState('properties.email');
  const [sample, setSample] = useState('');
  const [verdict, setVerdict] = useState<any>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    get('/classifiers').then(
      (r) => setItems(r.items),
      (e) => setMessage({ kind: 'error', text: e.message }),
    );
  }, []);
  const tryIt = async (e: Event) => {
    e.preventDefault();
    try {
      setVerdict(await post('/classifiers/try', { path, value: sample }));
      setMessage(null);
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  };
  return (
    <>
      <h1>Detection</h1>
      <form class="card" onSubmit={tryIt} aria-labelledby="try-title">
        <h2 id="try-title">Try it</h2>
        <div class="field">
          <label for="t-path">Key path</label>
          <input id="t-path" value={path} onInput={(e) => setPath(value(e))} required />
        </div>
        <div class="field">
          <label for="t-value">Value</label>
          <input id="t-value" autocomplete="off" value={sample} onInput={(e) => setSample(value(e))} />
        </div>
        <button type="submit" class="primary">
          Test
        </button>
        {verdict && (
          <p class="verdict" role="status">
            <code>{verdict.path}</code> = <code>{verdict.value}</code> →{' '}
            {verdict.category ? (
              <>
                <strong>{verdict.category}</strong> <Badge colour={verdict.classification} /> on the {verdict.matchedOn}, confidence{' '}
                {verdict.confidence.toFixed(2)} ({verdict.matcher})
              </>
            ) : (
              'no personal data (green)'
            )}
            {verdict.note && <span class="hint"> — {verdict.note}</span>}
          </p>
        )}
      </form>
      <Status message={message} />
      <div class="table-wrap">
        <table>
          <caption>Classifiers in force</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Category</th>
              <th scope="col">Colour</th>
              <th scope="col">Origin</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {items
              ?.filter((c) => !c.overridden)
              .map((c) => (
                <tr key={c.id}>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.name}</td>
                  <td>{c.category}</td>
                  <td>
                    <Badge colour={c.classification} />
                  </td>
                  <td>{c.origin}</td>
                  <td>{c.enabled ? 'yes' : 'no'}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
