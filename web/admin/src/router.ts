// Path router under /admin/: `route` is the current path below /admin (e.g. "/incidents/abc"),
// navigate() pushes a new one. Links rendered by <Link> (ui.tsx) use it.
import { signal } from '@preact/signals';

export const kBase = '/admin';

function current(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(kBase) ? p.slice(kBase.length) : p;
  return rest === '' ? '/' : rest;
}

export const route = signal<string>(current());
/** The query string of the current URL (without "?"). */
export const query = signal<string>(window.location.search.replace(/^\?/, ''));

window.addEventListener('popstate', () => {
  route.value = current();
  query.value = window.location.search.replace(/^\?/, '');
});

export function navigate(path: string, replace = false): void {
  const [p, q = ''] = path.split('?');
  const url = kBase + (p === '/' ? '/' : p) + (q ? `?${q}` : '');
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  route.value = p || '/';
  query.value = q;
  window.scrollTo(0, 0);
}

/** Matches "/incidents/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}
