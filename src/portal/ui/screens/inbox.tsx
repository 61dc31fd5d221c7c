import { useEffect, useState } from 'preact/hooks';
import { get, post, qs } from '../api.ts';
import type { Session } from '../types.ts';
import { idOf, keyOf, type Colour, type Point } from '../types.ts';
import { PointList, type Filters } from './point-list.tsx';
import { Status } from './common.tsx';

const PAGE = 50;

/** One page of the inbox (one more row than shown: is there a next page?), with its totals. */
export const inboxPageUrl = (filters: Filters, offset: number) => `/inventory/inbox${qs({ ...filters, sort: 'newest', limit: PAGE + 1, offset })}`;

/** New and drifted data points, newest first, paged and filtered by the server. */
export function Inbox({ session }: { session: Session }) {
  const [filters, setFilters] = useState<Filters>({});
  const [offset, setOffset] = useState(0);
  const [items, setItems] = useState<Point[] | null>(null);
  const [more, setMore] = useState(false);
  const [counts, setCounts] = useState<Record<Colour, number>>({ red: 0, yellow: 0, green: 0 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [as, setAs] = useState<'' | Colour>('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const canEdit = session.can('inventory.manage');

  // One request: the page and the counts of what matches the filters (the server counts them).
  // The first page is usually asked for already, beside the session (main.tsx).
  const load = () =>
    get(inboxPageUrl(filters, offset)).then(
      (p) => {
        setItems(p.items.slice(0, PAGE));
        setMore(p.items.length > PAGE);
        setCounts({ red: p.totals.red, yellow: p.totals.yellow, green: p.totals.green });
      },
      (e: unknown) => setMessage({ kind: 'error', text: (e as Error).message }),
    );
  useEffect(() => void load(), [JSON.stringify(filters), offset]);

  const accept = async (points: Point[]) => {
    if (points.length === 0) return;
    try {
      // The API's one bulk route (a dry count unless dryRun is false); points that vanished meanwhile are reported.
      const r = await post('/inventory/accept/bulk', { points: points.map(keyOf), dryRun: false, ...(as ? { classification: as } : {}) });
      const gone = r.missing.length > 0 ? ` (${r.missing.length} no longer exist)` : '';
      setMessage({ kind: 'ok', text: `Added ${r.matched} data point${r.matched === 1 ? '' : 's'} to the inventory${gone}` });
      setSelected(new Set());
      await load();
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const total = counts.red + counts.yellow + counts.green;
  return (
    <>
      <h1>Inbox</h1>
      <p class="counts" aria-label="Inbox counts">
        <strong>{total.toLocaleString()}</strong> to review: <span class="badge red">{counts.red.toLocaleString()} red</span>{' '}
        <span class="badge yellow">{counts.yellow.toLocaleString()} yellow</span> <span class="badge green">{counts.green.toLocaleString()} green</span>
      </p>
      {canEdit && items && items.length > 0 && (
        <div class="bulk" role="group" aria-label="Bulk actions">
          <label for="bulk-as">Accept as</label>
          <select id="bulk-as" value={as} onChange={(e) => setAs((e.target as HTMLSelectElement).value as Colour | '')}>
            <option value="">recommended colour</option>
            <option value="red">red</option>
            <option value="yellow">yellow</option>
            <option value="green">green</option>
          </select>
          <button type="button" disabled={selected.size === 0} onClick={() => accept(items.filter((p) => selected.has(idOf(p))))}>
            Accept selected ({selected.size})
          </button>
          <button type="button" onClick={() => accept(items)}>
            Accept all shown ({items.length})
          </button>
        </div>
      )}
      <Status message={message} />
      <PointList
        session={session}
        items={items}
        filters={filters}
        onFilters={(f) => {
          setOffset(0);
          setFilters(f);
        }}
        selectable={canEdit}
        selected={selected}
        onSelected={setSelected}
        onChanged={() => void load()}
        caption="Data points waiting for review, newest first"
      />
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <span>{items && items.length > 0 ? `${offset + 1}–${offset + items.length}` : ''}</span>
        <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </nav>
    </>
  );
}
