import { useEffect, useState } from 'preact/hooks';
import { get, post, qs } from '../api.ts';
import type { Colour, Session } from '../types.ts';
import { Badge, Status, when } from './common.tsx';

interface Parked {
  id: string;
  channel: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
  leased: boolean;
  alerts: number;
  points: Array<{ kind: string; source: string; event: string; path: string; classification: Colour }>;
}

const PAGE = 20;

/** Channels and "send test alert", and the outbox: deliveries parked after their retries, with "Retry now". */
export function Alerts({ session }: { session: Session }) {
  const [items, setItems] = useState<any[] | null>(null);
  const [parked, setParked] = useState<{ items: Parked[]; total: number } | null>(null);
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const fail = (e: unknown) => setMessage({ kind: 'error', text: (e as Error).message });
  const loadOutbox = () => get(`/alerts/outbox${qs({ limit: PAGE, offset })}`).then(setParked, fail);
  useEffect(() => {
    get('/alerts/channels').then((r) => setItems(r.items), fail);
  }, []);
  useEffect(() => void loadOutbox(), [offset]);
  const test = async (name: string) => {
    try {
      const r = await post(`/alerts/channels/${encodeURIComponent(name)}/test`);
      setMessage({ kind: 'ok', text: `Test alert ${r.alertId} delivered to ${name}` });
    } catch (e) {
      fail(e);
    }
  };
  const retry = async (d: Parked) => {
    try {
      await post(`/alerts/outbox/${encodeURIComponent(d.id)}/retry`);
      setMessage({ kind: 'ok', text: `Delivery to ${d.channel} is due now: the engine's next sweep sends it` });
      await loadOutbox();
    } catch (e) {
      fail(e);
    }
  };
  const canRetry = session.can('alerts.retry');
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
      <h2 id="outbox-title">Outbox</h2>
      <p class="hint">
        Deliveries a channel could not take after its retries, parked and retried by the engine on a back-off. {parked ? `${parked.total} parked.` : ''}
      </p>
      <div class="table-wrap">
        <table>
          <caption>Parked deliveries, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Alerts</th>
              <th scope="col">Last error</th>
              <th scope="col">Attempts</th>
              <th scope="col">Parked</th>
              <th scope="col">Next attempt</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {parked?.items.length === 0 && (
              <tr>
                <td colSpan={7}>Nothing parked: every alert was delivered.</td>
              </tr>
            )}
            {parked?.items.map((d) => (
              <tr key={d.id}>
                <td>{d.channel}</td>
                <td>
                  {d.alerts} alert{d.alerts === 1 ? '' : 's'}
                  <ul class="points">
                    {d.points.map((p) => (
                      <li key={`${p.source} ${p.event} ${p.path}`}>
                        <Badge colour={p.classification} /> <code>{p.path}</code> ({p.event}, {p.source}){p.kind === 'new' ? '' : ` · ${p.kind}`}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{d.lastError ?? '—'}</td>
                <td>{d.attempts}</td>
                <td>{when(d.createdAt)}</td>
                <td>{d.leased ? 'sending now' : when(d.nextAttemptAt)}</td>
                <td>
                  {canRetry && (
                    <button
                      type="button"
                      disabled={d.leased}
                      onClick={() => retry(d)}
                      aria-label={`Retry the delivery to ${d.channel} parked ${when(d.createdAt)}`}
                    >
                      Retry now
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Outbox pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <button type="button" disabled={!parked || offset + PAGE >= parked.total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </nav>
    </>
  );
}
