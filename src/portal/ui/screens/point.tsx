import { useEffect, useState } from 'preact/hooks';
import { get, post, qs, call } from '../api.ts';
import type { Session } from '../types.ts';
import { keyOf, type Colour, type Exception, type Point } from '../types.ts';
import { Badge, DRIFT, drifted, Status, value, when } from './common.tsx';

/** One data point's sheet: why it was flagged, where it goes, and the review actions. */
export function PointDetail(props: { session: Session; point: Point; onChanged: (p: Point) => void; onClose: () => void }) {
  const [point, setPoint] = useState(props.point);
  const [exception, setException] = useState<Exception | null>(null);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const canEdit = props.session.can('inventory.manage');

  useEffect(() => {
    setPoint(props.point);
    setMessage(null);
    get(`/inventory/point${qs(keyOf(props.point))}`)
      .then((r) => {
        setPoint(r.point);
        setException(r.exception);
      })
      .catch((e) => setMessage({ kind: 'error', text: e.message }));
  }, [props.point.source, props.point.event, props.point.path]);

  const act = async (label: string, run: () => Promise<any>) => {
    try {
      const r = await run();
      const next: Point = r.point ?? r;
      setPoint(next);
      if (r.exception) setException(r.exception);
      setMessage({ kind: 'ok', text: label });
      props.onChanged(next);
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const classify = (c: Colour) => act(`Classified ${c}`, () => call('PUT', '/inventory/classification', { ...keyOf(point), classification: c }));
  const accept = () => act('Added to the inventory', () => post('/inventory/accept', keyOf(point)));
  const reviewed = () => act('Marked reviewed', () => post('/inventory/reviewed', keyOf(point)));
  const reject = (e: Event) => {
    e.preventDefault();
    void act('Rejected: not personal data', () => post('/inventory/reject', { ...keyOf(point), reason }));
  };

  return (
    <section class="detail" aria-labelledby="detail-title">
      <header>
        <h2 id="detail-title">
          <code>{point.path}</code>
        </h2>
        <button type="button" class="link" onClick={props.onClose}>
          Close
        </button>
      </header>
      <dl class="facts">
        <dt>Classification</dt>
        <dd>
          <Badge colour={point.effectiveClassification} /> {point.reviewedClassification ? `reviewed (recommended ${point.classification})` : 'recommended'}
        </dd>
        <dt>Why</dt>
        <dd>
          {point.category ? (
            <>
              classifier <code>{point.category}</code> matched on the {point.matchedOn ?? 'key'} ({point.matcher ?? 'matcher'}), confidence{' '}
              {point.confidence.toFixed(2)}
            </>
          ) : (
            'no classifier fired'
          )}
        </dd>
        <dt>Data category</dt>
        <dd>{point.dataCategory ?? '—'}</dd>
        <dt>Example (masked)</dt>
        <dd>
          <code class="example">{point.example ?? '—'}</code>
        </dd>
        <dt>Source and event</dt>
        <dd>
          {point.source} · {point.event}
        </dd>
        <dt>Seen</dt>
        <dd>
          {point.count.toLocaleString()} times, first {when(point.firstSeen)}, last {when(point.lastSeen)}
        </dd>
        <dt>Received by (after controls)</dt>
        <dd>{point.destinations.length ? point.destinations.join(', ') : 'no destination'}</dd>
        <dt>Status</dt>
        <dd>
          {point.status}
          {point.reviewedAt ? `, reviewed ${when(point.reviewedAt)}` : ''}
        </dd>
        {drifted(point) && (
          <>
            <dt>Drift since review</dt>
            <dd class="drift">
              {DRIFT[point.driftReason!]} ({when(point.driftedAt)})
            </dd>
          </>
        )}
        {exception && (
          <>
            <dt>Rejected</dt>
            <dd class="exception">
              not personal data: “{exception.reason}” ({exception.actorRole}, {when(exception.createdAt)})
            </dd>
          </>
        )}
      </dl>
      {canEdit && (
        <div class="actions">
          <div role="group" aria-label="Set classification">
            {(['red', 'yellow', 'green'] as const).map((c) => (
              <button type="button" class={`colour ${c}`} aria-pressed={point.reviewedClassification === c} onClick={() => classify(c)}>
                Mark {c}
              </button>
            ))}
          </div>
          {point.status === 'inbox' && (
            <button type="button" class="primary" onClick={accept}>
              Add to inventory
            </button>
          )}
          {point.status === 'inventory' && (
            <button type="button" onClick={reviewed}>
              Mark reviewed
            </button>
          )}
          <form class="reject" onSubmit={reject}>
            <label for="reject-reason">Not personal data — why?</label>
            <input id="reject-reason" value={reason} maxLength={500} required onInput={(e) => setReason(value(e))} />
            <button type="submit">Reject</button>
          </form>
        </div>
      )}
      <Status message={message} />
    </section>
  );
}
