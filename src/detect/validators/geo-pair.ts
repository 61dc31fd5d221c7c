/**
 * `geo_pair` — a `lat,lng` text pair (optionally spaced and parenthesised), each part a precise
 * coordinate (see geo-coordinate.ts) with the latitude within ±90 and the longitude within ±180.
 * 0,0 ("null island") is the unset default of many SDKs and is rejected.
 */
import { prepare } from './common.js';
import { parseCoordinate } from './geo-coordinate.js';

const PAIR = /^\(?\s*([^,\s()]+)\s*,\s*([^,\s()]+)\s*\)?$/;

export function isGeoPair(candidate: string): boolean {
  const value = prepare(candidate, 72);
  if (value === null) return false;
  // Balanced parentheses only: `(lat,lng)` or bare `lat,lng`.
  if (value.startsWith('(') !== value.endsWith(')')) return false;
  const m = PAIR.exec(value);
  if (m === null) return false;
  const lat = parseCoordinate(m[1] as string, 90);
  const lng = parseCoordinate(m[2] as string, 180);
  if (lat === null || lng === null) return false;
  return !(lat === 0 && lng === 0);
}
