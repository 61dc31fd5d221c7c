import { badRequest, type InputPart } from './errors.js';

/**
 * Where in an API input a NUL character (U+0000) sits, or null. PostgreSQL text cannot hold one
 * (SQLSTATE 22021): an input carrying it would reach a query and fail there as a 500; it is a
 * client error and is answered as one, naming the field, before any handler runs. Iterative, so a
 * deeply nested body cannot exhaust the stack.
 */
export function findNul(value: unknown, part: InputPart): string | null {
  const stack: Array<[unknown, string]> = [[value, part]];
  while (stack.length > 0) {
    const [item, at] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return at;
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push([item[i], `${at}[${i}]`]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        // A key with NUL is named by its parent: the key itself may be the bad (or personal) text.
        if (key.includes('\u0000')) return at;
        stack.push([child, at === part ? key : `${at}.${key}`]);
      }
    }
  }
  return null;
}

/** Throws a 400 when the input holds a NUL character. */
export function rejectNul(value: unknown, part: InputPart): void {
  const field = findNul(value, part);
  if (field !== null) throw badRequest(field, 'contains a NUL character (U+0000), which is not accepted', 'invalid_text');
}
