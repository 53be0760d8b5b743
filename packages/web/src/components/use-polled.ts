import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  reload(): Promise<void>;
}

/**
 * Loads with `load` now and every `intervalMs` while the tab is visible (what the API offers
 * for lists is a read, not a stream; Concourse's UI polls the same way). A failed poll keeps
 * the last data and shows the error.
 */
export function usePolled<T>(load: () => Promise<T>, deps: unknown[], intervalMs = 4000): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = generation.current;
    try {
      const value = await load();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (caught) {
      if (mine === generation.current) setError(caught as Error);
    }
  }, deps);
  useEffect(() => {
    generation.current++;
    setData(undefined);
    setError(undefined);
    void reload();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, intervalMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [reload, intervalMs]);
  return { data, error, reload };
}
