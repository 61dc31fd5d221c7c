/**
 * Splits a property key into lowercase words the way people name fields: camelCase, PascalCase,
 * snake_case, kebab-case, spaces, dots, digits (`IPAddress2` → ip, address; `user_email` → user, email).
 * Pure digits are dropped: `address_line1` and `address_line2` mean the same thing.
 */
export function splitWords(key: string): string[] {
  const words: string[] = [];
  const chunks = key.match(/[\p{L}\p{N}]+/gu);
  if (chunks === null) return words;
  for (const chunk of chunks) {
    // Boundaries: aB, a1, 1a, and ABc (an acronym followed by a word).
    const parts = chunk
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
      .replace(/(\p{L})(\p{N})/gu, '$1 $2')
      .replace(/(\p{N})(\p{L})/gu, '$1 $2')
      .split(' ');
    for (const part of parts) {
      if (part === '' || /^\p{N}+$/u.test(part)) continue;
      words.push(part.toLowerCase());
    }
  }
  return words;
}

/**
 * Abbreviations and spellings common in event schemas, expanded before matching. Domain terms
 * (`dob`, `ssn`, `fname`) belong in classifier synonyms instead; these are shared by every classifier.
 */
// No prototype: a key word such as `constructor` or `toString` must not find Object's members.
export const ABBREVIATIONS: Readonly<Record<string, readonly string[] | undefined>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, readonly string[]>, {
    addr: ['address'],
    adr: ['address'],
    adrs: ['address'],
    adrss: ['address'],
    addrs: ['address'],
    num: ['number'],
    no: ['number'],
    nbr: ['number'],
    nr: ['number'],
    nmbr: ['number'],
    numb: ['number'],
    ipv: ['ip'],
    tel: ['telephone'],
    mob: ['mobile'],
    dt: ['date'],
    fname: ['first', 'name'],
    lname: ['last', 'name'],
    mname: ['middle', 'name'],
    pwd: ['password'],
    passwd: ['password'],
    pw: ['password'],
  }),
);

/**
 * Trailing words that describe a representation, not a different thing: `email_value`, `phone_raw`.
 * They are ignored when deciding what a key names.
 */
export const REPRESENTATION_WORDS: ReadonlySet<string> = new Set([
  'value',
  'raw',
  'str',
  'string',
  'text',
  'field',
  'input',
  'plain',
  'plaintext',
  'cleartext',
]);

/**
 * Leaf keys that say nothing on their own (`phone.number`, `address.line1`): the parent key's
 * words are put in front before matching.
 */
export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  'value',
  'number',
  'id',
  'code',
  'text',
  'raw',
  'data',
  'line',
  'primary',
  'home',
  'work',
  'main',
  'other',
  'secondary',
  'full',
  'formatted',
]);
