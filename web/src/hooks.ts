import { useCallback, useEffect, useRef, useState } from 'react';

/** Loads with `fn` whenever `deps` change; `reload` runs it again. Errors are kept for an ErrorBox. */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => Promise<void> } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const run = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const v = await fn();
      if (mine === seq.current) {
        setData(v);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
    // `fn` is a new closure on every render: the caller's `deps` say when it really changes.
  }, deps);
  useEffect(() => {
    void run();
  }, [run]);
  return { data, error, loading, reload: run };
}

/**
 * Searches with `search(key)` once `key` has stayed the same for `delayMs` (typing); an answer to
 * an older key is dropped. With `skipEmpty`, an empty key finds nothing without asking. A failure
 * keeps the previous results and lasts until a search succeeds (`setFailure` lets the caller report
 * a failure of its own in the same place).
 */
export function useSearch<T>(key: string, search: (key: string) => Promise<T[]>, { delayMs, skipEmpty = false }: { delayMs: number; skipEmpty?: boolean }) {
  const [found, setFound] = useState<T[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    const k = key.trim();
    if (skipEmpty && k === '') {
      setFound([]);
      setFailure(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      search(k)
        .then((list) => {
          if (!live) return;
          setFound(list);
          setFailure(null);
        })
        .catch((e) => live && setFailure(e));
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `search` is a new closure on every render: the key is what starts a search.
  }, [key]);
  return { found, failure, setFailure };
}
