/**
 * ISO-8601 times on the ingest's hot path: every event has its `timestamp` read and most have one
 * written. `Date.parse` and `toISOString` cost more than the rest of an event's checks together;
 * the shape the tracking clients send (`2024-06-11T09:00:00.123Z`, UTC, milliseconds) is read and
 * written here by arithmetic, and anything else goes to Date as before (same results, same errors).
 */

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: past it toISOString writes six-digit years. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/** Date.parse, with the clients' usual shape read directly. NaN when not a date. */
export function parseIsoTime(value: string): number {
  // YYYY-MM-DDTHH:MM:SS.sssZ
  if (
    value.length !== 24 ||
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(19) !== 46 ||
    value.charCodeAt(23) !== 90
  )
    return Date.parse(value);
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  const hour = digits(value, 11, 13);
  const minute = digits(value, 14, 16);
  const second = digits(value, 17, 19);
  const millis = digits(value, 20, 23);
  // Out of range fields (month 13, 24:00, Feb 30) are Date.parse's to judge, as they were; so are
  // years before 100, which Date.UTC would read as 19xx.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59 && millis >= 0))
    return Date.parse(value);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The decimal number in value[from, to), or NaN when a character is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** The day last written, as `YYYY-MM-DDT`: a batch's times are nearly always one or two days. */
let dayStart = 0;
let dayPrefix = '1970-01-01T';

/** new Date(ms).toISOString(), written from the day's prefix and the time of day. Throws RangeError as it does. */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  let t = ms - dayStart;
  if (t < 0 || t >= DAY_MS) {
    dayStart = ms - (ms % DAY_MS);
    dayPrefix = new Date(dayStart).toISOString().slice(0, 11);
    t = ms - dayStart;
  }
  const millis = t % 1000;
  t = (t - millis) / 1000;
  const seconds = t % 60;
  t = (t - seconds) / 60;
  const minutes = t % 60;
  const hours = (t - minutes) / 60;
  return `${dayPrefix}${two(hours)}:${two(minutes)}:${two(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
