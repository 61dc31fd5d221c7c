import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, qs } from '../api.ts';
import type { Session } from '../types.ts';
import { Status, value, when } from './common.tsx';

interface Request {
  id: string;
  type: string;
  idKind: string;
  status: string;
  receivedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  regulation: string | null;
  deadlineAt: string | null;
  failure: string | null;
}

const TYPES = ['DELETE', 'SUPPRESS', 'SUPPRESS_WITH_DELETE', 'UNSUPPRESS'];
const STATUSES = ['RECEIVED', 'RUNNING', 'FINISHED', 'FAILED'];
const PAGE = 25;
const KINDS = [
  ['userId', 'User id'],
  ['anonymousId', 'Anonymous id'],
  ['email', 'Email'],
] as const;

/** Deletion and suppression requests: create, follow statuses, read the receipt; owners export. */
export function Requests({ session }: { session: Session }) {
  const [type, setType] = useState('DELETE');
  const [kind, setKind] = useState<string>('userId');
  const [id, setId] = useState('');
  // The list is paged and filtered by the server (GET /requests), newest first.
  const [filter, setFilter] = useState<{ status?: string; type?: string }>({});
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ items: Request[]; total: number } | null>(null);
  const [receipt, setReceipt] = useState<any>(null);
  const [lookup, setLookup] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [exportKind, setExportKind] = useState<string>('userId');
  const [exportId, setExportId] = useState('');

  const fail = (e: unknown) => setMessage({ kind: 'error', text: (e as Error).message });
  const load = () => get(`/requests${qs({ ...filter, limit: PAGE, offset })}`).then(setPage, fail);
  useEffect(() => void load(), [filter.status, filter.type, offset]);
  // What the page shows now: an answer arriving late (a refresh, a lookup) must not add a row the filters exclude.
  const shown = useRef({ filter, offset });
  shown.current = { filter, offset };
  const belongs = (r: Request) => {
    const { filter: f, offset: o } = shown.current;
    return o === 0 && (!f.status || f.status === r.status) && (!f.type || f.type === r.type);
  };
  /** A request as the server answered it: its row is replaced, or added on top when it belongs on this page. */
  const show = (r: Request) =>
    setPage((p) => {
      if (!p) return p;
      if (p.items.some((x) => x.id === r.id)) return { ...p, items: p.items.map((x) => (x.id === r.id ? r : x)) };
      return belongs(r) ? { ...p, items: [r, ...p.items].slice(0, PAGE) } : p;
    });
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const r: Request = await post('/requests', { type, [kind]: id });
      // The identifier is not kept here either: the server stores only its keyed hash.
      setId('');
      show(r);
      setMessage({ kind: 'ok', text: `Request ${r.id} received` });
    } catch (err) {
      fail(err);
    }
  };
  const refresh = async (rid: string) => {
    try {
      const r: Request = await get(`/requests/${encodeURIComponent(rid)}`);
      show(r);
      return r;
    } catch (err) {
      fail(err);
      return null;
    }
  };
  const showReceipt = async (rid: string) => {
    try {
      setReceipt(await get(`/requests/${encodeURIComponent(rid)}/receipt`));
    } catch (err) {
      fail(err);
    }
  };
  return (
    <>
      <h1>Requests</h1>
      {session.can('requests.create') && (
        <form class="card" onSubmit={create} aria-labelledby="new-request">
          <h2 id="new-request">New request</h2>
          <div class="field">
            <label for="r-type">Type</label>
            <select id="r-type" value={type} onChange={(e) => setType(value(e))}>
              {TYPES.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="r-kind">Identifier</label>
            <select id="r-kind" value={kind} onChange={(e) => setKind(value(e))}>
              {KINDS.map(([k, l]) => (
                <option value={k}>{l}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="r-id">Value</label>
            <input
              id="r-id"
              type="text"
              inputMode={kind === 'email' ? 'email' : 'text'}
              autocomplete="off"
              value={id}
              onInput={(e) => setId(value(e))}
              required
            />
          </div>
          <button type="submit" class="primary">
            Create request
          </button>
        </form>
      )}
      <Status message={message} />
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void refresh(lookup.trim());
        }}
      >
        <label for="r-lookup">Find a request by id</label>
        <input id="r-lookup" value={lookup} onInput={(e) => setLookup(value(e))} />
        <button type="submit">Find</button>
      </form>
      <form class="filters" aria-label="Request filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="rf-status">Filter by status</label>
          <select
            id="rf-status"
            value={filter.status ?? ''}
            onChange={(e) => {
              setOffset(0);
              setFilter({ ...filter, status: value(e) || undefined });
            }}
          >
            <option value="">any</option>
            {STATUSES.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="rf-type">Filter by type</label>
          <select
            id="rf-type"
            value={filter.type ?? ''}
            onChange={(e) => {
              setOffset(0);
              setFilter({ ...filter, type: value(e) || undefined });
            }}
          >
            <option value="">any</option>
            {[...TYPES, 'CORRECT'].map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </div>
      </form>
      <div class="table-wrap">
        <table>
          <caption>Requests, newest first{page ? ` (${page.total} matching)` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Type</th>
              <th scope="col">By</th>
              <th scope="col">Status</th>
              <th scope="col">Received</th>
              <th scope="col">Finished</th>
              <th scope="col">Deadline</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page?.items.length === 0 && (
              <tr>
                <td colSpan={8}>No request matches.</td>
              </tr>
            )}
            {page?.items.map((r) => (
              <tr key={r.id}>
                <td>
                  <code>{r.id}</code>
                </td>
                <td>{r.type}</td>
                <td>{r.idKind}</td>
                <td data-status={r.status}>
                  {r.status}
                  {r.failure ? ` (${r.failure})` : ''}
                </td>
                <td>{when(r.receivedAt)}</td>
                <td>{when(r.finishedAt)}</td>
                <td>{r.regulation ? `${r.regulation}, ${when(r.deadlineAt)}` : '—'}</td>
                <td>
                  <button type="button" onClick={() => refresh(r.id)}>
                    Refresh
                  </button>{' '}
                  {r.status === 'FINISHED' && (
                    <button type="button" onClick={() => showReceipt(r.id)}>
                      Receipt
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Request pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <span>{page && page.items.length > 0 ? `${offset + 1}–${offset + page.items.length} of ${page.total}` : ''}</span>
        <button type="button" disabled={!page || offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </nav>
      {receipt && (
        <section class="card receipt" aria-labelledby="receipt-title">
          <h2 id="receipt-title">Receipt</h2>
          <dl class="facts">
            <dt>Request</dt>
            <dd>
              <code>{receipt.requestId}</code> ({receipt.type})
            </dd>
            <dt>Subject (keyed hash)</dt>
            <dd>
              <code>{receipt.subject}</code>
            </dd>
            <dt>Removed</dt>
            <dd>
              {Object.entries(receipt.removed ?? {})
                .map(([k, n]) => `${k}: ${n}`)
                .join(', ') || 'nothing'}
            </dd>
            <dt>Suppressed / unsuppressed</dt>
            <dd>
              {receipt.suppressed} / {receipt.unsuppressed}
            </dd>
            <dt>Where</dt>
            <dd>{(receipt.where ?? []).join(', ') || '—'}</dd>
            <dt>Finished</dt>
            <dd>{when(receipt.finishedAt)}</dd>
            <dt>Regulation</dt>
            <dd>
              {receipt.regulation ?? '—'}
              {receipt.deadline ? `, deadline ${when(receipt.deadline)}` : ''}
            </dd>
            <dt>Signature</dt>
            <dd>{receipt.signature ? `${receipt.signature.algorithm} by ${receipt.signature.keyId}` : 'unsigned'}</dd>
          </dl>
        </section>
      )}
      {session.can('subjects.export') && (
        <form class="card" aria-labelledby="export-title" onSubmit={(e) => e.preventDefault()}>
          <h2 id="export-title">Subject access export</h2>
          <p class="hint">Downloads everything stored about one person, decrypted. Owners only; each export is audited.</p>
          <div class="field">
            <label for="x-kind">Identifier</label>
            <select id="x-kind" value={exportKind} onChange={(e) => setExportKind(value(e))}>
              {KINDS.filter(([k]) => k !== 'email').map(([k, l]) => (
                <option value={k}>{l}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="x-id">Value</label>
            <input id="x-id" autocomplete="off" value={exportId} onInput={(e) => setExportId(value(e))} />
          </div>
          <a
            class={`button ${exportId ? '' : 'disabled'}`}
            aria-disabled={!exportId}
            href={exportId ? `/subjects/export${qs({ [exportKind]: exportId })}` : undefined}
            download="subject-export.json"
          >
            Download export
          </a>
        </form>
      )}
    </>
  );
}
