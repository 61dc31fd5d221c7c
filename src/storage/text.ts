/**
 * PostgreSQL text cannot hold U+0000 (SQLSTATE 22021). Producers can send it in any string — an
 * event name, a property key — so every clear text column written from event data goes through
 * `storableText`, the same rule the events store applies: NUL becomes U+FFFD (visible, never
 * confused with a real character, and one-to-one enough for an inventory key).
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

export function storableOrNull(text: string | null | undefined): string | null {
  return text == null ? null : storableText(text);
}

/** SQLSTATE class 22 (data exception): the row's values are refused; retrying the same row cannot help. */
export function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}
