/**
 * Leaves whose siblings in the same object say what they are, recognised by their own key once per
 * path (the hot path pays one comparison per leaf, and reads siblings only at these paths):
 *
 * - the value slot of a name/value pair: form builders, custom fields and audit trails send
 *   `fields[] = {name: "passport_no", value: "X1234567"}` or `changes[] = {field: "email", new: "…"}`;
 *   the sibling name is the value's real key;
 * - a latitude or a longitude: one coordinate of a point, classified like its partner.
 */

export type SiblingKind = 0 | typeof SIBLING_PAIR | typeof SIBLING_LAT | typeof SIBLING_LNG;
export const SIBLING_PAIR = 1;
export const SIBLING_LAT = 2;
export const SIBLING_LNG = 3;

/** Keys of a pair's value slot (last key words, as splitWords gives them). */
const VALUE_SLOTS: ReadonlySet<string> = new Set([
  'value',
  'val',
  'values',
  'new',
  'old',
  'new value',
  'old value',
  'newvalue',
  'oldvalue',
  'from',
  'to',
  'before',
  'after',
  'previous',
  'current',
  'answer',
  'response',
  'input',
  'field value',
  'new val',
  'old val',
  'changed to',
  'changed from',
]);

/** Keys of a pair's name slot, in the order they are read. */
export const PAIR_NAME_KEYS: readonly string[] = [
  'name',
  'field',
  'key',
  'label',
  'attribute',
  'property',
  'field_name',
  'fieldName',
  'fieldKey',
  'field_key',
  'question',
  'param',
  'parameter',
  'attr',
  'column',
];

const LAT: ReadonlySet<string> = new Set(['latitude', 'lat']);
const LNG: ReadonlySet<string> = new Set(['longitude', 'lng', 'lon', 'long']);
const LAT_KEYS = ['latitude', 'lat', 'Latitude', 'LAT'];
const LNG_KEYS = ['longitude', 'lng', 'lon', 'long', 'Longitude', 'LNG', 'LON'];

/**
 * What a path's siblings may say about its leaves: `words` are the last key's words; `classifier`
 * the id its key matched (a coordinate key only counts where it matched geo_coordinates).
 */
export function siblingKind(words: readonly string[], classifier: string | null): SiblingKind {
  if (words.length === 0) return 0;
  const joined = words.join(' ');
  if (classifier === 'geo_coordinates' && words.length === 1) {
    if (LAT.has(joined)) return SIBLING_LAT;
    if (LNG.has(joined)) return SIBLING_LNG;
  }
  return VALUE_SLOTS.has(joined) ? SIBLING_PAIR : 0;
}

/** The partner coordinate in the same object as text (for the validator), or null. */
export function coordinatePartner(container: Record<string, unknown>, isLatitude: boolean): string | null {
  for (const key of isLatitude ? LNG_KEYS : LAT_KEYS) {
    const value = container[key];
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string' && value.length > 0 && value.length <= 24) return value;
  }
  return null;
}
