import { riskOf } from '../detect/index.js';
import { compareCategories } from './aggregate.js';
import type { CategoryCount } from './types.js';
import type { DataPointObservation } from './store-rows.js';

/**
 * Folds a second observation of the same point into the first: counts add up, the time window
 * widens, destinations unite, and the riskiest classification (with its example) wins.
 */
export function mergeObservation(into: DataPointObservation, next: DataPointObservation): DataPointObservation {
  const merged: DataPointObservation = { ...into, destinations: unionDestinations(into.destinations, next.destinations) };
  merged.count = into.count + next.count;
  merged.categories = mergeCategories(into.categories, next.categories);
  if (Date.parse(next.firstSeen) < Date.parse(into.firstSeen)) merged.firstSeen = next.firstSeen;
  if (Date.parse(next.lastSeen) > Date.parse(into.lastSeen)) merged.lastSeen = next.lastSeen;
  if (isRiskier(next, into)) {
    merged.category = next.category;
    merged.dataCategory = next.dataCategory;
    merged.classification = next.classification;
    merged.matchedOn = next.matchedOn;
    merged.confidence = next.confidence;
    merged.matcher = next.matcher;
    merged.example = next.example;
    merged.exampleSubject = next.exampleSubject;
  } else if (merged.example === null && next.example !== null) {
    merged.example = next.example;
    merged.exampleSubject = next.exampleSubject;
  }
  return merged;
}

/**
 * Two lists of a point's categories as one: counts add up, last seen is the later; riskiest first.
 * `lead` (the point's primary category) is kept first when given.
 */
export function mergeCategories(a: readonly CategoryCount[] | undefined, b: readonly CategoryCount[] | undefined, lead?: string | null): CategoryCount[] {
  const byId = new Map<string, CategoryCount>();
  for (const c of [...(a ?? []), ...(b ?? [])]) {
    const seen = byId.get(c.category);
    if (seen === undefined) byId.set(c.category, { ...c });
    else {
      seen.count += c.count;
      if (Date.parse(c.lastSeen) > Date.parse(seen.lastSeen)) seen.lastSeen = c.lastSeen;
    }
  }
  const out = [...byId.values()].sort(compareCategories);
  const at = lead == null ? -1 : out.findIndex((c) => c.category === lead);
  if (at > 0) out.unshift(...out.splice(at, 1));
  return out;
}

/** Riskier classification first; at equal risk, having a category beats none, then confidence. */
export function isRiskier(
  a: Pick<DataPointObservation, 'classification' | 'category' | 'confidence'>,
  b: Pick<DataPointObservation, 'classification' | 'category' | 'confidence'>,
): boolean {
  const byRisk = riskOf(a.classification) - riskOf(b.classification);
  if (byRisk !== 0) return byRisk > 0;
  if ((a.category === null) !== (b.category === null)) return a.category !== null;
  return a.confidence > b.confidence;
}

export function unionDestinations(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (!b || b.length === 0) return a ? [...a] : [];
  return [...new Set([...(a ?? []), ...b])].sort();
}
