import type { ComponentChildren } from 'preact';
import type { Colour } from '../types.ts';

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
