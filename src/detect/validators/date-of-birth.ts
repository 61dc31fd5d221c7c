/**
 * `date_of_birth` — a date that can be someone's birth date: `YYYY-MM-DD`, `YYYY/MM/DD`,
 * `MM/DD/YYYY` (or `DD/MM/YYYY` when only that reading is a real date) and `DD.MM.YYYY`.
 * It must be a real calendar date, not in the future, with the year ≥ 1900 and an age of at most
 * 120 years. Anything with a time part (`2024-01-15T10:00:00Z`) is an event time and is rejected.
 */
import { prepare } from './common.js';

const ISO_DATE = /^([0-9]{4})([-/])([0-9]{2})\2([0-9]{2})$/;
const SLASH_DATE = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/;
const DOT_DATE = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/;

const MAX_AGE_YEARS = 120;
const MIN_YEAR = 1900;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** yyyymmdd as a number, for ordering dates without allocating Date objects. */
function ordinal(year: number, month: number, day: number): number {
  return year * 10_000 + month * 100 + day;
}

function todayOrdinal(now: Date): number {
  return ordinal(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate());
}

// Today's date (UTC) is recomputed once per day, not per candidate.
const MS_PER_DAY = 86_400_000;
let cachedDay = Number.NaN;
let cachedToday = 0;
function currentTodayOrdinal(): number {
  const nowMs = Date.now();
  const day = Math.floor(nowMs / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedToday = todayOrdinal(new Date(nowMs));
  }
  return cachedToday;
}

function plausible(year: number, month: number, day: number, today: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  const date = ordinal(year, month, day);
  const oldest = today - MAX_AGE_YEARS * 10_000; // same month/day, 120 years ago
  return year >= MIN_YEAR && date <= today && date >= oldest;
}

/** `now` is injectable for tests; the validator uses the current clock (UTC date). */
export function isPlausibleDateOfBirth(candidate: string, now?: Date): boolean {
  const value = prepare(candidate, 16);
  if (value === null) return false;
  const today = now === undefined ? currentTodayOrdinal() : todayOrdinal(now);
  let m = ISO_DATE.exec(value);
  if (m !== null) return plausible(Number(m[1]), Number(m[3]), Number(m[4]), today);
  m = SLASH_DATE.exec(value);
  if (m !== null) {
    const first = Number(m[1]);
    const second = Number(m[2]);
    const year = Number(m[3]);
    // US month-first; a first field over 12 can only be a day (European DD/MM/YYYY).
    return plausible(year, first, second, today) || (first > 12 && plausible(year, second, first, today));
  }
  m = DOT_DATE.exec(value);
  if (m !== null) return plausible(Number(m[3]), Number(m[2]), Number(m[1]), today);
  return false;
}

export function isDateOfBirth(candidate: string): boolean {
  return isPlausibleDateOfBirth(candidate);
}
