/**
 * `geo_coordinate` — a latitude or longitude precise enough to locate a person: a decimal string
 * with at least 3 decimals (~100 m; fewer matches prices, ratios and coarse areas) within ±180
 * (a lone value may be a longitude). 0 ("null island") is the unset default of many SDKs.
 */
import { prepare } from './common.js';

// Optional sign, integer part without leading zeros, 3–15 decimals.
const COORDINATE = /^[+-]?(?:0|[1-9][0-9]{0,2})\.[0-9]{3,15}$/;

/** The coordinate's value when `text` is a precise coordinate within ±`limit`, else null. */
export function parseCoordinate(text: string, limit: number): number | null {
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
