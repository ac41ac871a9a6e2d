// Signing in and out: remembers the session, takes the user's language, starts live updates.
import { api } from './api';
import { applyUserLang } from './i18n';
import { startLive, stopLive } from './live';
import { navigate } from './router';
import { setSession, type Session } from './session';

export function signedIn(s: Session): void {
  setSession(s);
  applyUserLang(s.user.id, s.user.language);
  startLive();
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/api/v1/session');
  } catch {
    // signed out locally either way
  }
  stopLive();
  setSession(null);
  navigate('/', true);
}
