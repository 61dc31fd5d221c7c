import type { Leaf } from '../events/index.js';

const MAX_EXAMPLE = 48;

/**
 * Masks a value to its shape: letters → x, digits → 9, everything else kept (`jane@example.com`
 * → `xxxx@xxxxxxx.xxx`, `+1 415-555-2671` → `+9 999-999-9999`). Reviewers see the format, never
 * the data. Works on code points, so letters outside the BMP are masked too, and truncation never
 * splits a surrogate pair.
 *
 * Booleans: an unclassified flag (`email_subscribed: true`) is shown as is; a classified one
 * (`is_pregnant: true`) is personal data itself and shows only `<boolean>`.
 *
 * Red values (credentials, government and financial ids) keep only the separators that give a
 * format (`-`, space): the other symbols are masked too (`*`), since in a password or a token they
 * are part of the secret (`P@ss!w0rd#` → `x*xx*x9xx*`).
 */
export function maskValue(value: Leaf, classified = true, red = false): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return classified ? '<boolean>' : String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count++ === MAX_EXAMPLE) return `${out}…`;
    const code = ch.charCodeAt(0);
    if (code >= 48 && code <= 57) out += '9';
    else if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) out += 'x';
    else if (code < 128) out += red && code !== 45 && code !== 32 ? '*' : ch;
    else out += /\p{N}/u.test(ch) ? '9' : /\p{L}|\p{M}|\p{S}/u.test(ch) ? 'x' : ch;
  }
  return out;
}
