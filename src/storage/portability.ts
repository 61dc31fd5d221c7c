import { eventName, PathTrie, flatten, type SegmentEvent } from '../events/index.js';
import type { SubjectExport } from './access.js';
import type { Db } from './db.js';

/**
 * Data portability (GDPR art. 20): the subject's events in a structured, commonly used,
 * machine-readable format — NDJSON, one Segment-spec call per line, exactly as stored (after the
 * source-level controls), so another service that speaks Segment's spec can take them — and a
 * manifest a person can read: what categories of data, from which sources, over which period.
 */
export interface ExportManifest {
  generatedAt: string;
  identifier: { kind: SubjectExport['idKind']; lookupHash: string };
  /** Stored subjects the export covers (the identifier named, or an email's subject). */
  subjects: number;
  timeRange: { from: string; to: string } | null;
  events: { total: number; byType: Record<string, number>; byName: Array<{ name: string; count: number }> };
  /** Profile trait names (values are in the export itself). */
  profileTraits: string[];
  /** What the inventory knows about the paths these events carry, riskiest first. */
  categories: Array<{ category: string; classification: string; paths: string[] }>;
  sources: string[];
  /** Events stored but not exported: their key was destroyed, or their row fails authentication. */
  withheld: { unreadable: number; tampered: number };
  formats: { json: string; ndjson: string };
}

/** One Segment-spec call per line, oldest first. */
export function exportToNdjson(data: SubjectExport): string {
  const events = data.subjects.flatMap((s) => s.events);
  events.sort((a, b) => (a.timestamp ?? a.receivedAt).localeCompare(b.timestamp ?? b.receivedAt));
  let out = '';
  for (const e of events) out += `${JSON.stringify(e.payload)}\n`;
  return out;
}

const RANK: Record<string, number> = { red: 0, yellow: 1, green: 2 };

export async function exportManifest(db: Db, data: SubjectExport): Promise<ExportManifest> {
  const byType = new Map<string, number>();
  const byName = new Map<string, number>();
  const pairs = new Set<string>();
  const trie = new PathTrie();
  let from: string | null = null;
  let to: string | null = null;
  const traits = new Set<string>();
  for (const subject of data.subjects) {
    for (const name of Object.keys(subject.profile ?? {})) traits.add(name);
    for (const e of subject.events) {
      byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      byName.set(e.event, (byName.get(e.event) ?? 0) + 1);
      const at = e.timestamp ?? e.receivedAt;
      if (from === null || at < from) from = at;
      if (to === null || at > to) to = at;
      const payload = e.payload as SegmentEvent;
      if (payload === null || typeof payload !== 'object') continue;
      const name = eventName(payload);
      try {
        flatten(trie.rootFor(payload.type), payload as unknown as Record<string, unknown>, (node) => pairs.add(`${name}\0${node.path}`));
      } catch {
        // An event too deep to walk was dead-lettered, not stored; nothing to add.
      }
    }
  }
  const events = [...pairs].map((p) => p.split('\0') as [string, string]);
  const rows =
    events.length === 0
      ? []
      : await db.query<{ source: string; path: string; category: string | null; recommended: string; reviewed: string | null }>(
          `SELECT p.source, p.path, p.category, p.recommended, p.reviewed
           FROM inventory_points p JOIN unnest($1::text[], $2::text[]) AS u(e, pa) ON p.event = u.e AND p.path = u.pa`,
          [events.map((e) => e[0]), events.map((e) => e[1])],
        );
  const categories = new Map<string, { category: string; classification: string; paths: Set<string> }>();
  const sources = new Set<string>();
  for (const row of rows) {
    sources.add(row.source);
    if (row.category === null) continue;
    const classification = row.reviewed ?? row.recommended;
    const entry = categories.get(row.category) ?? { category: row.category, classification, paths: new Set<string>() };
    if ((RANK[classification] ?? 3) < (RANK[entry.classification] ?? 3)) entry.classification = classification;
    entry.paths.add(row.path);
    categories.set(row.category, entry);
  }
  return {
    generatedAt: data.generatedAt,
    identifier: { kind: data.idKind, lookupHash: data.lookupHash },
    subjects: data.subjects.length,
    timeRange: from !== null && to !== null ? { from, to } : null,
    events: {
      total: [...byType.values()].reduce((a, b) => a + b, 0),
      byType: Object.fromEntries([...byType].sort()),
      byName: [...byName].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    },
    profileTraits: [...traits].sort(),
    categories: [...categories.values()]
      .map((c) => ({ category: c.category, classification: c.classification, paths: [...c.paths].sort() }))
      .sort((a, b) => (RANK[a.classification] ?? 3) - (RANK[b.classification] ?? 3) || a.category.localeCompare(b.category)),
    sources: [...sources].sort(),
    withheld: {
      unreadable: data.subjects.reduce((n, s) => n + s.unreadableEvents, 0),
      tampered: data.subjects.reduce((n, s) => n + s.tamperedEvents.length, 0),
    },
    formats: {
      json: 'application/json: everything stored (events, profile, suppression, requests, masked inventory examples)',
      ndjson: 'application/x-ndjson: one Segment-spec call per line (track, identify, page, screen, group, alias), oldest first',
    },
  };
}
