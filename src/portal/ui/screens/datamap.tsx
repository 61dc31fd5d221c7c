import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.ts';
import type { Colour } from '../types.ts';

interface Link {
  source: string;
  category: string;
  classification: Colour;
  destination: string | null;
  points: number;
}

const NONE = '(no destination)';
const RANK: Record<Colour, number> = { red: 0, yellow: 1, green: 2 };

/**
 * Sources → data points by category → destinations, as a picture: three columns of nodes, bands
 * as wide as the number of data points they carry, categories coloured by classification. The
 * same numbers are in a table below it for screen readers and for copying.
 */
export function DataMap() {
  const [links, setLinks] = useState<Link[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get('/inventory/map').then(
      (r) => setLinks(r.links),
      (e) => setError(e.message),
    );
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!links) return <p>Loading the data map…</p>;

  const sum = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  const sources = new Map<string, number>();
  const categories = new Map<string, number>();
  const destinations = new Map<string, number>();
  const colour = new Map<string, Colour>();
  const left = new Map<string, number>();
  const right = new Map<string, number>();
  for (const l of links) {
    const d = l.destination ?? NONE;
    sum(sources, l.source, l.points);
    sum(categories, l.category, l.points);
    sum(destinations, d, l.points);
    const c = colour.get(l.category);
    if (!c || RANK[l.classification] < RANK[c]) colour.set(l.category, l.classification);
    sum(left, `${l.source}\n${l.category}`, l.points);
    sum(right, `${l.category}\n${d}`, l.points);
  }
  const order = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const cols = [
    order(sources),
    [...categories.entries()].sort((a, b) => RANK[colour.get(a[0])!] - RANK[colour.get(b[0])!] || b[1] - a[1]),
    order(destinations),
  ];
  const total = Math.max(1, ...cols.map((c) => c.reduce((s, [, n]) => s + n, 0)));
  const rows = Math.max(...cols.map((c) => c.length), 1);
  const height = Math.max(260, rows * 34 + 60);
  const width = 900;
  const x = [140, 450, 760];
  const gap = 8;
  const scale = (height - 60 - rows * gap) / total;
  const pos = cols.map((col) => {
    let y = 36;
    const at = new Map<string, { y: number; h: number; used: number; usedIn: number }>();
    for (const [name, n] of col) {
      const h = Math.max(4, n * scale);
      at.set(name, { y, h, used: 0, usedIn: 0 });
      y += h + gap;
    }
    return at;
  });
  const bands: preact.JSX.Element[] = [];
  const band = (
    from: { y: number; h: number; used: number },
    to: { y: number; h: number; usedIn: number },
    x1: number,
    x2: number,
    n: number,
    cls: string,
    key: string,
  ) => {
    const h = Math.max(2, n * scale);
    const y1 = from.y + from.used + h / 2;
    const y2 = to.y + to.usedIn + h / 2;
    from.used += h;
    to.usedIn += h;
    const mid = (x1 + x2) / 2;
    bands.push(<path key={key} class={`band ${cls}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} stroke-width={h} />);
  };
  for (const [k, n] of order(left)) {
    const [s, c] = k.split('\n') as [string, string];
    band(pos[0]!.get(s)!, pos[1]!.get(c)!, x[0]! + 6, x[1]! - 6, n, colour.get(c)!, `l${k}`);
  }
  for (const [k, n] of order(right)) {
    const [c, d] = k.split('\n') as [string, string];
    band(pos[1]!.get(c)!, pos[2]!.get(d)!, x[1]! + 6, x[2]! - 6, n, colour.get(c)!, `r${k}`);
  }
  const nodes = cols.flatMap((col, i) =>
    col.map(([name, n]) => {
      const p = pos[i]!.get(name)!;
      const cls = i === 1 ? colour.get(name)! : name === NONE ? 'none' : 'node';
      const anchor = i === 0 ? 'end' : 'start';
      const tx = i === 0 ? x[0]! - 10 : x[i]! + 10;
      return (
        <g key={`${i}${name}`}>
          <rect class={`node ${cls}`} x={x[i]! - 6} y={p.y} width={12} height={p.h} />
          <text class={i === 1 ? 'halo' : ''} x={tx} y={p.y + p.h / 2 + 4} text-anchor={anchor}>{`${name} (${n})`}</text>
        </g>
      );
    }),
  );
  return (
    <section class="datamap" aria-labelledby="map-title">
      <h2 id="map-title">Data map</h2>
      <p class="hint">
        Sources (left) → data points by category (middle, coloured by classification) → destinations that received them after controls (right). Band width:
        number of data points.
      </p>
      {links.length === 0 ? (
        <p>No personal data seen yet.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Data map: sources to data categories to destinations">
          <text class="col" x={x[0]} y={16} text-anchor="middle">
            Sources
          </text>
          <text class="col" x={x[1]} y={16} text-anchor="middle">
            Categories
          </text>
          <text class="col" x={x[2]} y={16} text-anchor="middle">
            Destinations
          </text>
          {bands}
          {nodes}
        </svg>
      )}
      <details>
        <summary>The data map as a table</summary>
        <div class="table-wrap">
          <table>
            <caption>Data points per source, category and destination</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Category</th>
                <th scope="col">Classification</th>
                <th scope="col">Destination</th>
                <th scope="col">Data points</th>
              </tr>
            </thead>
            <tbody>
              {links.map((l) => (
                <tr key={`${l.source}${l.category}${l.destination}`}>
                  <td>{l.source}</td>
                  <td>{l.category}</td>
                  <td>{l.classification}</td>
                  <td>{l.destination ?? NONE}</td>
                  <td>{l.points}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
