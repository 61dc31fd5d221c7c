import type { ComponentChildren } from 'preact';
import type { Colour, Point } from '../types.ts';

export function Badge({ colour }: { colour: Colour }) {
  return <span class={`badge ${colour}`}>{colour}</span>;
}

export function Status({ message }: { message: { kind: 'ok' | 'error'; text: string } | null }) {
  return (
    <p class={`status ${message?.kind ?? ''}`} role={message?.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
      {message?.text ?? ''}
    </p>
  );
}

export function Field(props: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
export const value = (e: Event) => (e.target as HTMLInputElement).value;

/** What each drift reason means (docs/portal.md, "Drift"). */
export const DRIFT: Record<NonNullable<Point['driftReason']>, string> = {
  classification: 'riskier evidence than when reviewed',
  category: 'a category it never carried before',
  validation: 'its values stopped passing the validator',
};

/** Drifted since review: the evidence changed after the last review stamp. */
export const drifted = (p: Point) => p.driftedAt !== null && (p.reviewedAt === null || p.driftedAt > p.reviewedAt);
