import { useState } from 'preact/hooks';
import type { Session } from '../types.ts';
import { idOf, type Point } from '../types.ts';
import { Badge, DRIFT, drifted, when } from './common.tsx';
import { PointDetail } from './point.tsx';

export interface Filters {
  classification?: string;
  source?: string;
  event?: string;
  category?: string;
  destination?: string;
  reviewed?: string;
  drift?: string;
}

/** The filter bar, the table of points and the detail sheet of the opened one (inbox and inventory). */
export function PointList(props: {
  session: Session;
  items: Point[] | null;
  filters: Filters;
  onFilters: (f: Filters) => void;
  selectable: boolean;
  selected: Set<string>;
  onSelected: (s: Set<string>) => void;
  onChanged: () => void;
  caption: string;
  extraFilters?: boolean;
}) {
  const [open, setOpen] = useState<Point | null>(null);
  const [draft, setDraft] = useState<Filters>(props.filters);
  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value || undefined });
  const apply = (e: Event) => {
    e.preventDefault();
    props.onFilters(draft);
  };
  const toggle = (p: Point) => {
    const next = new Set(props.selected);
    const id = idOf(p);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    props.onSelected(next);
  };
  return (
    <>
      <form class="filters" onSubmit={apply} aria-label="Filters">
        <div class="field">
          <label for="f-class">Classification</label>
          <select id="f-class" value={draft.classification ?? ''} onChange={set('classification')}>
            <option value="">any</option>
            <option value="red">red</option>
            <option value="yellow">yellow</option>
            <option value="green">green</option>
          </select>
        </div>
        <div class="field">
          <label for="f-category">Category</label>
          <input id="f-category" value={draft.category ?? ''} onInput={set('category')} placeholder="email or user.contact" />
        </div>
        <div class="field">
          <label for="f-source">Source</label>
          <input id="f-source" value={draft.source ?? ''} onInput={set('source')} />
        </div>
        <div class="field">
          <label for="f-event">Event</label>
          <input id="f-event" value={draft.event ?? ''} onInput={set('event')} />
        </div>
        {props.extraFilters && (
          <>
            <div class="field">
              <label for="f-destination">Destination</label>
              <input id="f-destination" value={draft.destination ?? ''} onInput={set('destination')} />
            </div>
            <div class="field">
              <label for="f-reviewed">Reviewed</label>
              <select id="f-reviewed" value={draft.reviewed ?? ''} onChange={set('reviewed')}>
                <option value="">either</option>
                <option value="true">reviewed</option>
                <option value="false">not reviewed</option>
              </select>
            </div>
            <div class="field">
              <label for="f-drift">Drift since review</label>
              <select id="f-drift" value={draft.drift ?? ''} onChange={set('drift')}>
                <option value="">either</option>
                <option value="true">drifted</option>
                <option value="false">not drifted</option>
              </select>
            </div>
          </>
        )}
        <button type="submit">Filter</button>
      </form>
      <div class="table-wrap">
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              {props.selectable && (
                <th scope="col">
                  <span class="sr-only">Select</span>
                </th>
              )}
              <th scope="col">Colour</th>
              <th scope="col">Path</th>
              <th scope="col">Event</th>
              <th scope="col">Source</th>
              <th scope="col">Category</th>
              <th scope="col">Matched on</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {props.items === null && (
              <tr>
                <td colSpan={8}>Loading…</td>
              </tr>
            )}
            {props.items?.length === 0 && (
              <tr>
                <td colSpan={8}>Nothing here.</td>
              </tr>
            )}
            {props.items?.map((p) => (
              <tr key={idOf(p)} class={open && idOf(open) === idOf(p) ? 'open' : ''}>
                {props.selectable && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${p.path} (${p.event}, ${p.source})`}
                      checked={props.selected.has(idOf(p))}
                      onChange={() => toggle(p)}
                    />
                  </td>
                )}
                <td>
                  <Badge colour={p.effectiveClassification} />
                  {drifted(p) && (
                    <span class="badge drift" title={DRIFT[p.driftReason!]}>
                      drift
                    </span>
                  )}
                </td>
                <td>
                  <button type="button" class="link path" onClick={() => setOpen(p)} aria-label={`Open ${p.path} (${p.event}, ${p.source})`}>
                    {p.path}
                  </button>
                </td>
                <td>{p.event}</td>
                <td>{p.source}</td>
                <td>{p.category ?? '—'}</td>
                <td>{p.matchedOn ?? '—'}</td>
                <td>{when(p.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && <PointDetail session={props.session} point={open} onClose={() => setOpen(null)} onChanged={() => props.onChanged()} />}
    </>
  );
}
