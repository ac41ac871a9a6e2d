// Texts in English and German. Each module registers its own messages with addMessages();
// t() reads the `lang` signal, so a component that calls it re-renders when the language changes.
import { signal } from '@preact/signals';

export type Lang = 'en' | 'de';

const catalogs: Record<Lang, Record<string, string>> = { en: {}, de: {} };

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem('tocsin.lang');
    if (stored === 'en' || stored === 'de') return stored;
  } catch {
    // storage may be unavailable
  }
  const nav = (typeof navigator !== 'undefined' && navigator.language) || 'en';
  return nav.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export const lang = signal<Lang>(initialLang());

/** Whose explicit choice setLang() remembers (the signed-in user's id; "" before sign-in). */
let chooser = '';

/** Switches the language and remembers the choice in this browser (per user). */
export function setLang(l: Lang): void {
  applyLang(l);
  try {
    localStorage.setItem('tocsin.lang', l);
    if (chooser) localStorage.setItem(`tocsin.lang.${chooser}`, l);
  } catch {
    // ignore
  }
}

function applyLang(l: Lang): void {
  lang.value = l;
  if (typeof document !== 'undefined') document.documentElement.lang = l;
}

/**
 * After sign-in: the language this user last chose in this browser, else the user's own
 * language from the server.
 */
export function applyUserLang(userId: string, userLang: string): void {
  chooser = userId;
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(`tocsin.lang.${userId}`);
  } catch {
    // ignore
  }
  if (stored === 'en' || stored === 'de') applyLang(stored);
  else if (userLang === 'en' || userLang === 'de') applyLang(userLang);
}

export function addMessages(l: Lang, messages: Record<string, string>): void {
  Object.assign(catalogs[l], messages);
}

/** The text for `key` in the current language ({name} placeholders filled from vars). */
export function t(key: string, vars?: Record<string, string | number>): string {
  const l = lang.value;
  let s = catalogs[l][key] ?? catalogs.en[key] ?? key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  }
  return s;
}

/** Date and time in the current language and the browser's time zone, e.g. "5 Dec 2026, 14:05". */
export function formatTime(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang.value === 'de' ? 'de-DE' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(d);
}

/** Date only, current language. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang.value === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium' }).format(d);
}
