// The signed-in user's session (null when signed out) and role checks for hiding what the role
// may not do. The server decides; hiding only keeps the screens honest.
import { signal } from '@preact/signals';

export type Role = 'owner' | 'responder' | 'stakeholder';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  language: 'en' | 'de';
}

export interface Session {
  user: SessionUser;
  csrf_token: string;
  expires_at: string;
}

export const session = signal<Session | null>(null);

/** 'loading' until GET /api/v1/session (and /setup) answered. */
export const sessionState = signal<'loading' | 'signed-out' | 'needs-owner' | 'signed-in'>('loading');

const kRank: Record<Role, number> = { stakeholder: 1, responder: 2, owner: 3 };

/** True when the signed-in user has at least `role`. */
export function can(role: 'stakeholder' | 'responder' | 'owner'): boolean {
  const s = session.value;
  return s !== null && kRank[s.user.role] >= kRank[role];
}

export function setSession(s: Session | null): void {
  session.value = s;
  sessionState.value = s ? 'signed-in' : 'signed-out';
}
