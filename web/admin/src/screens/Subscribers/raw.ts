// Requests that src/api.ts does not cover: a non-JSON body (CSV import, logo upload) and a GET
// whose response headers matter (X-Total-Count). Same CSRF header and error mapping as api().
import { ApiError } from '../../api';
import { session, setSession } from '../../session';

async function problem(res: Response): Promise<ApiError> {
  let p: { type?: string; title?: string; detail?: string; field?: string } = {};
  try {
    p = JSON.parse(await res.text());
  } catch {
    // not JSON
  }
  const type = (p.type ?? '').split('/').pop() || 'error';
  if (res.status === 401) setSession(null);
  return new ApiError(res.status, type, p.detail || p.title || `HTTP ${res.status}`, p.field);
}

/** Sends `body` as-is with `contentType`; returns the parsed JSON answer (undefined on 204). */
export async function sendRaw<T = unknown>(method: 'POST' | 'PUT', path: string, contentType: string, body: Blob | string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': contentType };
  const s = session.value;
  if (s) headers['X-CSRF-Token'] = s.csrf_token;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (!res.ok) throw await problem(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET with the response headers (for X-Total-Count and Link). */
export async function getWithHeaders<T>(path: string): Promise<{ data: T; headers: Headers }> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (!res.ok) throw await problem(res);
  return { data: (await res.json()) as T, headers: res.headers };
}
