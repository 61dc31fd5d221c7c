import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import type { Session } from '../types.ts';
import type { Point } from '../types.ts';
import { Status } from './common.tsx';
import { DataMap } from './datamap.tsx';
import { PointList, type Filters } from './point-list.tsx';

const PAGE = 50;

export function Inventory({ session }: { session: Session }) {
  const [filters, setFilters] = useState<Filters>({});
  const [offset, setOffset] = useState(0);
  const [items, setItems] = useState<Point[] | null>(null);
  const [more, setMore] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = async () => {
    try {
      const page = await get(`/inventory${qs({ ...filters, status: 'inventory', limit: PAGE + 1, offset })}`);
      setItems(page.items.slice(0, PAGE));
      setMore(page.items.length > PAGE);
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  useEffect(() => void load(), [JSON.stringify(filters), offset]);
  return (
    <>
      <h1>Inventory</h1>
      {session.can('inventory.export') && (
        <p>
          <a class="button" href="/inventory/export.csv" download="inventory.csv">
            Download CSV (everything)
          </a>
        </p>
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
        selectable={false}
        selected={new Set()}
        onSelected={() => undefined}
        onChanged={() => void load()}
        caption="Data points in the inventory"
        extraFilters
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
      <DataMap />
    </>
  );
}
