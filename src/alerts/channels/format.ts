import type { Classification } from '../../detect/index.js';
import { riskOf } from '../../detect/index.js';
import type { Alert } from '../types.js';

/** Shared wording, so Slack, PagerDuty and the CLI describe a point the same way. */

export const EMOJI: Record<Classification, string> = { red: '🔴', yellow: '🟡', green: '🟢' };

export function highestClassification(alerts: readonly Alert[]): Classification {
  let best: Classification = 'green';
  for (const a of alerts) if (riskOf(a.classification) > riskOf(best)) best = a.classification;
  return best;
}

export function categoryLabel(c: { id: string | null; dataCategory: string | null }): string {
  if (c.id && c.dataCategory) return `${c.id} (${c.dataCategory})`;
  return c.id ?? c.dataCategory ?? 'none';
}

/** Caps free text so one pathological path cannot blow a channel's size limits. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function summaryLine(a: Alert): string {
  if (a.kind === 'dead_letter') {
    return `Dead letters: ${a.deadLetter?.count ?? 1} event(s) from ${clip(a.source, 100)} went to the dead-letter path (${clip(a.deadLetter?.code ?? a.path, 100)}); inspect them with segmentloom dlq inspect`;
  }
  if (a.kind === 'leak') {
    return `Leak: ${a.leak?.values ?? 1} ${a.classification} value(s) of ${clip(a.path, 300)} (${categoryLabel(a.category)}) in "${clip(a.event, 200)}" from ${clip(a.source, 100)} reached ${clip(a.leak?.destination ?? '?', 100)}, which is not approved for them`;
  }
  const what = a.kind === 'drift' ? 'Data point drifted to' : 'New';
  return `${what} ${a.classification} data point ${clip(a.path, 300)} (${categoryLabel(a.category)}) in "${clip(a.event, 200)}" from ${clip(a.source, 100)}`;
}
