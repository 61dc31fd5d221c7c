import { closest, distance } from 'fastest-levenshtein';

/**
 * "Did you mean": the closest of `candidates` to `word` when it is close enough to be a typo —
 * a case-only difference, two neighbouring letters swapped, or an edit distance of at most a third of the word, rounded up (at least 1, at most
 * 3). Used for unknown fields, commands and flags; `word` is what a person typed, never a value.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word === '') return undefined;
  const lower = word.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const swapped = candidates.find((c) => isTransposition(lower, c.toLowerCase()));
  if (swapped !== undefined) return swapped;
  const best = closest(word, candidates as string[]);
  // A flag's dashes are not part of what was mistyped: `--email` is five letters, not seven.
  const letters = word.replace(/^-+/, '').length;
  const limit = Math.min(3, Math.max(1, Math.ceil(letters / 3)));
  return distance(word, best) <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[], quote: (s: string) => string = (s) => JSON.stringify(s)): string {
  const best = suggest(word, candidates);
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`;
}

/** Whether `a` is `b` with two neighbouring characters swapped (`ulr` / `url`). */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
