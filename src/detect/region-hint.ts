/**
 * The country an event comes from, for reading phone numbers written in national format
 * (`0532 123 45 67` is Turkish only if the event says so). Segment's context carries it in
 * `context.locale` (`tr-TR`), `context.location.country` (`TR`, `Turkey`) or `context.timezone`
 * (`Europe/Istanbul`); a source may configure a default. Read once per event, by a few property
 * loads: nothing here runs per value.
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

/** IANA zones that name one country (the common ones; a zone shared by several countries is left out). */
const ZONES: ReadonlyMap<string, CountryCode> = new Map(
  Object.entries<CountryCode>({
    'Europe/Istanbul': 'TR',
    'Asia/Istanbul': 'TR',
    'Asia/Manila': 'PH',
    'Asia/Jerusalem': 'IL',
    'Asia/Tel_Aviv': 'IL',
    'Asia/Tokyo': 'JP',
    'Asia/Seoul': 'KR',
    'Asia/Shanghai': 'CN',
    'Asia/Hong_Kong': 'HK',
    'Asia/Taipei': 'TW',
    'Asia/Singapore': 'SG',
    'Asia/Kolkata': 'IN',
    'Asia/Calcutta': 'IN',
    'Asia/Jakarta': 'ID',
    'Asia/Bangkok': 'TH',
    'Asia/Ho_Chi_Minh': 'VN',
    'Asia/Kuala_Lumpur': 'MY',
    'Asia/Karachi': 'PK',
    'Asia/Dhaka': 'BD',
    'Asia/Dubai': 'AE',
    'Asia/Riyadh': 'SA',
    'Asia/Tehran': 'IR',
    'Asia/Baghdad': 'IQ',
    'Asia/Qatar': 'QA',
    'Europe/London': 'GB',
    'Europe/Dublin': 'IE',
    'Europe/Paris': 'FR',
    'Europe/Berlin': 'DE',
    'Europe/Madrid': 'ES',
    'Europe/Rome': 'IT',
    'Europe/Amsterdam': 'NL',
    'Europe/Brussels': 'BE',
    'Europe/Lisbon': 'PT',
    'Europe/Vienna': 'AT',
    'Europe/Zurich': 'CH',
    'Europe/Stockholm': 'SE',
    'Europe/Oslo': 'NO',
    'Europe/Copenhagen': 'DK',
    'Europe/Helsinki': 'FI',
    'Europe/Warsaw': 'PL',
    'Europe/Prague': 'CZ',
    'Europe/Budapest': 'HU',
    'Europe/Bucharest': 'RO',
    'Europe/Athens': 'GR',
    'Europe/Kiev': 'UA',
    'Europe/Kyiv': 'UA',
    'Europe/Moscow': 'RU',
    'Europe/Sofia': 'BG',
    'Africa/Johannesburg': 'ZA',
    'Africa/Lagos': 'NG',
    'Africa/Cairo': 'EG',
    'Africa/Nairobi': 'KE',
    'Africa/Casablanca': 'MA',
    'Africa/Accra': 'GH',
    'America/Sao_Paulo': 'BR',
    'America/Mexico_City': 'MX',
    'America/Argentina/Buenos_Aires': 'AR',
    'America/Buenos_Aires': 'AR',
    'America/Bogota': 'CO',
    'America/Lima': 'PE',
    'America/Santiago': 'CL',
    'America/Caracas': 'VE',
    'America/Toronto': 'CA',
    'America/Vancouver': 'CA',
    'America/Montreal': 'CA',
    'America/New_York': 'US',
    'America/Chicago': 'US',
    'America/Denver': 'US',
    'America/Los_Angeles': 'US',
    'America/Phoenix': 'US',
    'America/Anchorage': 'US',
    'Pacific/Honolulu': 'US',
    'Australia/Sydney': 'AU',
    'Australia/Melbourne': 'AU',
    'Australia/Brisbane': 'AU',
    'Australia/Perth': 'AU',
    'Australia/Adelaide': 'AU',
    'Pacific/Auckland': 'NZ',
  }),
);

/** Country names people put in `context.location.country` where a code is expected (the frequent ones). */
const NAMES: ReadonlyMap<string, CountryCode> = new Map(
  Object.entries<CountryCode>({
    'united states': 'US',
    usa: 'US',
    'united kingdom': 'GB',
    uk: 'GB',
    'great britain': 'GB',
    england: 'GB',
    turkey: 'TR',
    türkiye: 'TR',
    turkiye: 'TR',
    philippines: 'PH',
    israel: 'IL',
    japan: 'JP',
    germany: 'DE',
    deutschland: 'DE',
    france: 'FR',
    spain: 'ES',
    españa: 'ES',
    italy: 'IT',
    italia: 'IT',
    netherlands: 'NL',
    'the netherlands': 'NL',
    portugal: 'PT',
    brazil: 'BR',
    brasil: 'BR',
    india: 'IN',
    canada: 'CA',
    australia: 'AU',
    mexico: 'MX',
    méxico: 'MX',
    'south korea': 'KR',
    korea: 'KR',
    singapore: 'SG',
    'south africa': 'ZA',
    poland: 'PL',
    polska: 'PL',
    sweden: 'SE',
    sverige: 'SE',
    finland: 'FI',
    suomi: 'FI',
    thailand: 'TH',
    ireland: 'IE',
    belgium: 'BE',
    austria: 'AT',
    switzerland: 'CH',
    indonesia: 'ID',
    nigeria: 'NG',
  }),
);

/** The region an ISO code (`tr`), a locale (`tr-TR`, `tr_TR`, `zh-Hant-TW`) or a country name stands for, or null. */
function fromCountry(text: string): CountryCode | null {
  if (text.length === 2) {
    const upper = text.toUpperCase();
    return upper === 'UK' ? 'GB' : isSupportedCountry(upper) ? upper : null;
  }
  return NAMES.get(text.trim().toLowerCase()) ?? null;
}

// Every event carries a locale, and a stream's locales are few: the region each stands for is
// remembered (bounded: cleared when full), sparing the slicing and libphonenumber's metadata lookup.
const LOCALES_REMEMBERED = 1024;
const localeRegions = new Map<string, CountryCode | null>();

function fromLocale(locale: string): CountryCode | null {
  let region = localeRegions.get(locale);
  if (region === undefined) {
    region = readLocale(locale);
    if (localeRegions.size >= LOCALES_REMEMBERED) localeRegions.clear();
    localeRegions.set(locale, region);
  }
  return region;
}

function readLocale(locale: string): CountryCode | null {
  if (locale.length < 5 || locale.length > 20) return null;
  // The region subtag is the last 2-letter part: `tr-TR`, `en_GB`, `zh-Hant-TW`; `en` alone says nothing.
  const end = locale.indexOf('.') === -1 ? locale.length : locale.indexOf('.');
  const sep = Math.max(locale.lastIndexOf('-', end), locale.lastIndexOf('_', end));
  if (sep === -1 || end - sep !== 3) return null;
  const upper = locale.slice(sep + 1, end).toUpperCase();
  return isSupportedCountry(upper) ? upper : null;
}

/**
 * The event's region: the country it was sent from (`context.location.country`), else the
 * locale's region, else the time zone's country, else `fallback` (the source's configured region).
 */
export function eventRegion(event: unknown, fallback: CountryCode | null = null): CountryCode | null {
  const context = event !== null && typeof event === 'object' ? (event as { context?: unknown }).context : undefined;
  if (context === null || typeof context !== 'object') return fallback;
  const { location, locale, timezone } = context as { location?: unknown; locale?: unknown; timezone?: unknown };
  if (location !== null && typeof location === 'object') {
    const country = (location as { country?: unknown }).country;
    if (typeof country === 'string' && country.length >= 2 && country.length <= 40) {
      const region = fromCountry(country);
      if (region !== null) return region;
    }
  }
  if (typeof locale === 'string') {
    const region = fromLocale(locale);
    if (region !== null) return region;
  }
  if (typeof timezone === 'string') {
    const region = ZONES.get(timezone);
    if (region !== undefined) return region;
  }
  return fallback;
}

const NO_REGIONS: readonly CountryCode[] = Object.freeze([]);

/**
 * Every region the event's hints name other than `primary` (the one eventRegion chose): an en-US
 * browser whose clock is set to Australia/Sydney, a locale of one country and a location of
 * another. A bare national id with a weak check is read in each of them (a traveller's browser
 * keeps its language); phones keep the one primary region. Allocates only when hints disagree.
 */
export function otherEventRegions(event: unknown, primary: CountryCode | null): readonly CountryCode[] {
  const context = event !== null && typeof event === 'object' ? (event as { context?: unknown }).context : undefined;
  if (context === null || typeof context !== 'object') return NO_REGIONS;
  const { location, locale, timezone } = context as { location?: unknown; locale?: unknown; timezone?: unknown };
  let out: CountryCode[] | null = null;
  const add = (region: CountryCode | null | undefined) => {
    if (region === null || region === undefined || region === primary || out?.includes(region)) return;
    (out ??= []).push(region);
  };
  if (location !== null && typeof location === 'object') {
    const country = (location as { country?: unknown }).country;
    if (typeof country === 'string' && country.length >= 2 && country.length <= 40) add(fromCountry(country));
  }
  if (typeof locale === 'string') add(fromLocale(locale));
  if (typeof timezone === 'string') add(ZONES.get(timezone));
  return out ?? NO_REGIONS;
}

/** A configured region code, checked against libphonenumber's metadata (`UK` is read as `GB`). */
export function parseRegion(code: string): CountryCode | null {
  return code.length === 2 ? fromCountry(code) : null;
}
