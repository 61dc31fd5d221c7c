import type { Action } from '../../api/authz.ts';

export type Colour = 'red' | 'yellow' | 'green';
export interface Point {
  source: string;
  event: string;
  path: string;
  category: string | null;
  dataCategory: string | null;
  classification: Colour;
  reviewedClassification: Colour | null;
  effectiveClassification: Colour;
  status: 'inbox' | 'inventory';
  matchedOn: string | null;
  confidence: number;
  matcher: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  destinations: string[];
  example: string | null;
  reviewedAt: string | null;
  driftedAt: string | null;
  driftReason: 'classification' | 'category' | 'validation' | null;
}
export interface Exception {
  reason: string;
  actorRole: string;
  createdAt: string;
  category: string | null;
  recommended: string;
}
export interface Me {
  name: string;
  role: 'owner' | 'editor' | 'viewer';
  scopes: import('../../api/authz.ts').Scope[];
  via: string;
}
export const keyOf = (p: Pick<Point, 'source' | 'event' | 'path'>) => ({ source: p.source, event: p.event, path: p.path });
export const idOf = (p: Pick<Point, 'source' | 'event' | 'path'>) => JSON.stringify([p.source, p.event, p.path]);

/** The signed-in person as the screens see them. */
export interface Session {
  me: Me;
  /** The server's own rule (api/authz.ts): a button shows only when the call would be allowed. */
  can(action: Action): boolean;
}
