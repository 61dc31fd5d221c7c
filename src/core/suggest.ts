import { closest, distance } from 'fastest-levenshtein';

/**
 * "Did you mean": the closest of `candidates` to `word` when it is close enough to be a typo —
 * a case-only difference, or an edit distance of at most a third of the word, rounded up (at least 1, at most
 * 3). Used for unknown fields, commands and flags; `word` is what a person typed, never a value.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word === '') return undefined;
  const lower = word.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const best = closest(word, candidates as string[]);
  const limit = Math.min(3, Math.max(1, Math.ceil(word.length / 3)));
  return distance(word, best) <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[], quote: (s: string) => string = (s) => JSON.stringify(s)): string {
  const best = suggest(word, candidates);
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`;
}
