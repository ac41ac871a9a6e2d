// useResource: GET a path, keep data/error/loading, refetch on live topics.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useLive } from './live';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(path: string | null, topics: string[] = []): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const gen = useRef(0);
  const shown = useRef<string | null>(null);
  const load = useCallback(() => {
    if (path === null) return;
    const mine = ++gen.current;
    if (shown.current !== path) {
      // Another resource than the one shown: do not show the old data meanwhile.
      shown.current = path;
      setData(undefined);
      setError(undefined);
    }
    setLoading(true);
    api<T>('GET', path).then(
      (d) => {
        if (mine !== gen.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e) => {
        if (mine !== gen.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [path]);
  useEffect(load, [load]);
  useLive(topics, load);
  return { data, error, loading, reload: load };
}
