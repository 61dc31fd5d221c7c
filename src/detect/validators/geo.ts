/**
 * `geo_coordinate` and `geo_pair` — precise locations. A single coordinate is a decimal string with
 * at least 3 decimals (~100 m; fewer is too coarse to locate a person and matches prices, ratios,
 * versions) within ±180 (a lone value may be a longitude). A pair is `lat,lng` text with the
 * latitude within ±90. 0/0 ("null island") is the unset default of many SDKs and is rejected.
 */
import { prepare } from './common.js';

// Optional sign, integer part without leading zeros, 3–15 decimals.
const COORDINATE = /^[+-]?(?:0|[1-9][0-9]{0,2})\.[0-9]{3,15}$/;
const PAIR = /^\(?\s*([^,\s()]+)\s*,\s*([^,\s()]+)\s*\)?$/;

function parseCoordinate(text: string, limit: number): number | null {
  if (!COORDINATE.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}

export function isGeoCoordinate(candidate: string): boolean {
  const value = prepare(candidate, 32);
  if (value === null) return false;
  const coordinate = parseCoordinate(value, 180);
  return coordinate !== null && coordinate !== 0;
}

export function isGeoPair(candidate: string): boolean {
  const value = prepare(candidate, 72);
  if (value === null) return false;
  const m = PAIR.exec(value);
  if (m === null) return false;
  const lat = parseCoordinate(m[1] as string, 90);
  const lng = parseCoordinate(m[2] as string, 180);
  if (lat === null || lng === null) return false;
  // Balanced parentheses only: `(lat,lng)` or bare `lat,lng`.
  if (value.startsWith('(') !== value.endsWith(')')) return false;
  return !(lat === 0 && lng === 0);
}
