// Live updates: one EventSource on /api/v1/live shared by all screens. A screen calls
// useLive(['page'], refetch); refetch runs when a change event names one of its topics, and
// after a reconnect (events may have been missed). The browser reconnects by itself; when the
// stream is closed for good (e.g. 401) it is reopened after a pause while signed in.
import { useEffect, useRef } from 'preact/hooks';
import { effect, signal } from '@preact/signals';
import { session } from './session';

type Listener = { topics: string[]; fn: () => void };

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let helloCount = 0;

/** True while the stream is open (shown in the shell). */
export const liveConnected = signal(false);

function notify(topics: string[] | null): void {
  for (const l of [...listeners]) {
    if (topics === null || l.topics.some((t) => topics.includes(t))) {
      try {
        l.fn();
      } catch {
        // a screen's refetch must not break the others
      }
    }
  }
}

export function startLive(): void {
  if (source || typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/live', { withCredentials: true });
  source = es;
  es.addEventListener('hello', () => {
    liveConnected.value = true;
    helloCount += 1;
    if (helloCount > 1) notify(null);  // reconnected: refetch everything shown
  });
  es.addEventListener('change', (ev) => {
    try {
      const data = JSON.parse((ev as MessageEvent<string>).data) as { topics?: string[] };
      notify(Array.isArray(data.topics) ? data.topics : null);
    } catch {
      notify(null);
    }
  });
  es.onerror = () => {
    liveConnected.value = false;
    if (es.readyState === EventSource.CLOSED) {
      // Closed for good (e.g. the session ended): retry while still signed in.
      source = null;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        if (session.value) startLive();
      }, 5000);
    }
  };
}

export function stopLive(): void {
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  helloCount = 0;
  liveConnected.value = false;
}

/** Calls refetch when the server reports a change in one of `topics`. */
export function useLive(topics: string[], refetch: () => void): void {
  const ref = useRef(refetch);
  ref.current = refetch;
  const key = topics.join(',');
  useEffect(() => {
    const l: Listener = { topics: key.split(','), fn: () => ref.current() };
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, [key]);
}

// Signed out (by the user or because the session ended): close the stream.
effect(() => {
  if (!session.value) stopLive();
});
