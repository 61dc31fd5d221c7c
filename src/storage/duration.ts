/** Retention durations: `<n><unit>` with s, m, h, d, w, y (a year is 365 days), or `forever`. */
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const DURATION = /^(\d{1,6})([smhdwy])$/;
const MAX_MS = 1000 * UNIT_MS.y!;

/** Milliseconds, or null for `forever`. Throws on anything else (the message quotes config, not data). */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === 'forever') return null;
  const match = DURATION.exec(trimmed);
  if (!match) throw new Error(`invalid duration "${trimmed}": expected e.g. 90d, 12h, 7y or forever`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  // Expiry dates must stay storable (PostgreSQL timestamps end at year 9999).
  if (ms > MAX_MS) throw new Error(`invalid duration "${trimmed}": at most 1000y; use forever to keep events until erased`);
  return ms;
}

export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}
