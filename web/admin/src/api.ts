// fetch wrapper for the admin API: JSON in and out, the session's CSRF token on every request,
// RFC 7807 problems turned into ApiError, 401 sends the user back to the sign-in screen.
import { session, setSession } from './session';

export class ApiError extends Error {
  status: number;
  /** Last segment of the problem type URI ("validation", "invalid-credentials", "csrf", ...). */
  type: string;
  field?: string;
  /** Seconds from Retry-After on 429, when given. */
  retryAfter?: number;

  constructor(status: number, type: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.field = field;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const s = session.value;
  if (s && method !== 'GET') headers['X-CSRF-Token'] = s.csrf_token;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const p = (data ?? {}) as { type?: string; title?: string; detail?: string; field?: string };
    const type = (p.type ?? '').split('/').pop() || 'error';
    const err = new ApiError(res.status, type, p.detail || p.title || `HTTP ${res.status}`, p.field);
    const ra = res.headers.get('Retry-After');
    if (ra && /^\d+$/.test(ra)) err.retryAfter = Number(ra);
    // A signed-in user whose session ended goes back to the sign-in screen. The sign-in and
    // session probes themselves answer 401 as a normal outcome.
    if (res.status === 401 && !path.startsWith('/api/v1/session') && !path.startsWith('/api/v1/setup')) {
      setSession(null);
    }
    throw err;
  }
  return data as T;
}
