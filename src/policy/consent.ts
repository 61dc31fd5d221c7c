import type { PathNode } from '../events/index.js';

/**
 * Consent gating. Signals read (Segment consent spec plus the common do-not-sell variants):
 *   - `context.consent.categoryPreferences`: `{ "Advertising": true, "Analytics": false }`
 *   - do-not-sell: `context.consent.doNotSell`, `context.privacy.doNotSell`,
 *     GPC: `context.consent.gpc`, `context.gpc`.
 * The signals are passed through unchanged to destinations that receive the event: a downstream
 * system must be able to honour them too, so no policy may block, hash or remove them.
 */

/** Why a destination does not receive an event (Open: it does). */
export const Gate = { Open: 0, Consent: 1, DoNotSell: 2 } as const;
export type Gate = (typeof Gate)[keyof typeof Gate];

export interface ConsentRule {
  categories: readonly string[];
  sale: boolean;
}

type Json = Record<string, unknown>;

function objectAt(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

// Opt-outs fail closed: GPC arrives as the header value "1", SDKs send booleans or strings.
function optedOut(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

// A refusal in any of the forms an opt-out may take: refusals fail closed too.
function denied(value: unknown): boolean {
  return value === false || value === 'false' || value === 0 || value === '0';
}

/** The consent facts of one event, read once in `begin`. */
export class ConsentSignals {
  preferences: Json | null = null;
  doNotSell = false;

  read(event: Json): void {
    const context = objectAt(event.context);
    const consent = objectAt(context?.consent);
    const privacy = objectAt(context?.privacy);
    this.preferences = objectAt(consent?.categoryPreferences);
    this.doNotSell = optedOut(consent?.doNotSell) || optedOut(consent?.gpc) || optedOut(privacy?.doNotSell) || optedOut(context?.gpc);
  }

  /**
   * A destination receives the event only if none of its consent categories is explicitly
   * denied (a missing preference falls back to `consentDefault`), and a sale destination only
   * without a do-not-sell/GPC signal.
   */
  gate(rule: ConsentRule | null, consentDefault: 'allow' | 'deny'): Gate {
    if (rule === null) return Gate.Open;
    if (rule.sale && this.doNotSell) return Gate.DoNotSell;
    for (const category of rule.categories) {
      const preference = this.preferences?.[category];
      if (preference === true || preference === 'true' || preference === 1 || preference === '1') continue;
      if (denied(preference)) return Gate.Consent;
      // Missing (or unreadable) preference: the configured default decides.
      if (consentDefault === 'deny') return Gate.Consent;
    }
    return Gate.Open;
  }

  clear(): void {
    this.preferences = null;
    this.doNotSell = false;
  }
}

const SIGNAL_PATHS: ReadonlySet<string> = new Set(['context.consent.doNotSell', 'context.consent.gpc', 'context.privacy.doNotSell', 'context.gpc']);

/**
 * True for the leaves that carry consent signals: the do-not-sell/GPC flags and each category of
 * `context.consent.categoryPreferences` — exactly those paths, not arrays or anything else nested
 * under `context.consent` (which the controls apply to like any other field).
 */
export function isConsentSignal(node: PathNode): boolean {
  if (node.isElement) return false;
  return SIGNAL_PATHS.has(node.path) || node.parent?.path === 'context.consent.categoryPreferences';
}
