import type { Leaf } from '../events/index.js';

const MAX_EXAMPLE = 48;

/**
 * Masks a value to its shape: letters → x, digits → 9, everything else kept (`jane@example.com`
 * → `xxxx@xxxxxxx.xxx`, `+1 415-555-2671` → `+9 999-999-9999`). Reviewers see the format, never
 * the data.
 */
export function maskValue(value: Leaf): string {
  // A flag carries no personal data and its value is what a reviewer needs to see.
  if (typeof value === 'boolean' || value === null) return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  let out = '';
  const end = Math.min(text.length, MAX_EXAMPLE);
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) out += '9';
    else if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) out += 'x';
    else if (code < 128) out += text[i];
    else out += /\p{L}|\p{N}/u.test(text[i]!) ? 'x' : text[i];
  }
  return text.length > MAX_EXAMPLE ? `${out}…` : out;
}
