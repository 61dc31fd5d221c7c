import { distance } from 'fastest-levenshtein';

/**
 * Similarity of two words as 1 - edits / longer length, where swapping two adjacent letters counts
 * as one edit (`emial` ~ `email` = 0.8), as people's typos do.
 */
export function wordSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  let edits = distance(a, b);
  if (edits === 2 && a.length === b.length && isAdjacentSwap(a, b)) edits = 1;
  return 1 - edits / longer;
}

export function isAdjacentSwap(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
