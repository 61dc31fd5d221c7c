import { useEffect, useState } from 'preact/hooks';
import { call, get } from '../api.ts';
import type { Session } from '../types.ts';
import { Status } from './common.tsx';

/** Policies and destinations in force; editors replace them through PUT /policies after seeing the diff. */
export function Controls({ session }: { session: Session }) {
  const [doc, setDoc] = useState<any>(null);
  const [draft, setDraft] = useState('');
  const [diff, setDiff] = useState<string[] | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = () =>
    get('/policies').then(
      (r) => {
        setDoc(r);
        setDraft(JSON.stringify(r.document, null, 2));
        setDiff(null);
      },
      (e) => setMessage({ kind: 'error', text: e.message }),
    );
  useEffect(() => void load(), []);
  if (!doc)
    return (
      <>
        <h1>Controls</h1>
        <Status message={message} />
      </>
    );
  const policies: any[] = doc.document.policies ?? [];
  const destinations: any[] = doc.document.destinations ?? [];
  const canEdit = session.can('policies.manage') && !doc.inline;
  const save = async () => {
    try {
      const r = await call('PUT', '/policies', draft, 'application/json');
      setMessage({ kind: 'ok', text: `Saved version ${r.version.version}` });
      await load();
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  return (
    <>
      <h1>Controls</h1>
      <p class="hint">
        {doc.inline ? 'Policies are inline in the engine config (read-only here).' : `Policy file version ${doc.version?.version ?? 'on disk'}`}
      </p>
      <div class="table-wrap">
        <table>
          <caption>Policies in force, in order</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Destinations</th>
              <th scope="col">Matches</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{(p.destinations ?? ['all']).join(', ')}</td>
                <td>
                  <code>{JSON.stringify(p.match ?? {})}</code>
                </td>
                <td>{p.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-wrap">
        <table>
          <caption>Destinations and what each is approved for</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Allowed</th>
              <th scope="col">Consent</th>
            </tr>
          </thead>
          <tbody>
            {destinations.map((d) => (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td>{d.allow ? JSON.stringify(d.allow) : 'everything the policies leave'}</td>
                <td>{d.consent ? JSON.stringify(d.consent) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit && (
        <section class="card" aria-labelledby="edit-title">
          <h2 id="edit-title">Change the policies</h2>
          <label for="p-doc">Policy document (JSON)</label>
          <textarea id="p-doc" rows={14} value={draft} onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)} />
          <button type="button" onClick={() => setDiff(lineDiff(JSON.stringify(doc.document, null, 2), draft))}>
            Show changes
          </button>
          {diff && (
            <>
              <pre class="diff" aria-label="Changes">
                {diff.map((l) => (
                  <span class={l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : ''}>{`${l}\n`}</span>
                ))}
              </pre>
              <button type="button" class="primary" onClick={save}>
                Save (validated, versioned, audited)
              </button>
            </>
          )}
        </section>
      )}
      <Status message={message} />
    </>
  );
}

/** A plain line diff (longest common subsequence) — documents here are small. */
function lineDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${y[j++]}`);
    else out.push(`- ${x[i++]}`);
  }
  return out.filter((l, k, all) => l[0] !== ' ' || all.slice(Math.max(0, k - 2), k + 3).some((c) => c[0] !== ' '));
}
