import { badRequest } from './errors.js';

/**
 * Bounds on configuration documents sent to the API. A policy or classifier file is a few levels
 * deep; a 30,000-level JSON body or a YAML alias bomb ("billion laughs") is an attack on the
 * validators that walk it (recursion, memory), and was answered with a 500.
 */
export const MAX_DOCUMENT_DEPTH = 64;

/** Throws a 400 when `value` nests deeper than `max` levels. Iterative: the check itself cannot overflow. */
export function rejectDeep(value: unknown, max = MAX_DOCUMENT_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) throw badRequest('body', `nested deeper than ${max} levels`, 'document_too_deep');
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
}

/**
 * Runs a parser step, turning the failures a hostile document provokes into a 400: the YAML
 * library's alias limit (ReferenceError "Excessive alias count") and stack exhaustion.
 */
export function parseBounded<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof RangeError) throw badRequest('body', `${what} is nested too deeply`, 'document_too_deep');
    if (err instanceof ReferenceError && /alias/i.test(err.message)) throw badRequest('body', `${what} expands too many YAML aliases`, 'too_many_aliases');
    throw err;
  }
}
