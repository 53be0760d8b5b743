import type { Watch } from '@kubernetes/client-node';

/** A decision on one observed object: a result to return, or undefined to keep waiting. Throw to fail. */
export type Decide<R> = (object: any, event: 'EXISTING' | 'ADDED' | 'MODIFIED' | 'DELETED') => R | undefined;

export interface WaitOptions<R> {
  watch: Watch;
  /** The list path to watch, e.g. `/api/v1/namespaces/ns/persistentvolumeclaims`. */
  path: string;
  fieldSelector: string;
  /** The same list, fetched: the starting point, and the resourceVersion to watch from. */
  list(): Promise<{ items: unknown[]; metadata?: { resourceVersion?: string } }>;
  decide: Decide<R>;
  /** The result when the list holds nothing: for waiting until an object is gone. */
  absent?: () => R;
  timeoutMs: number;
  signal: AbortSignal;
  timedOut(): Error;
}

/** Pause before watching again after a watch broke, so a flapping connection is not a busy loop. */
const REWATCH_PAUSE_MS = 500;

/**
 * Lists, decides on what exists, then watches from the list's resourceVersion until `decide`
 * returns or throws, the time is up, or `signal` aborts. A watch that ends early (servers close
 * them after a while) is followed by a fresh list and watch, so no change falls in between.
 */
export function waitFor<R>(options: WaitOptions<R>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let current: AbortController | undefined;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      current?.abort();
      settle();
    };
    const timer = setTimeout(() => finish(() => reject(options.timedOut())), options.timeoutMs);
    const onAbort = (): void => finish(() => reject(options.signal.reason));
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    const decide = (object: unknown, event: Parameters<Decide<R>>[1]): boolean => {
      try {
        const result = options.decide(object, event);
        if (result === undefined) return false;
        finish(() => resolve(result));
      } catch (error) {
        finish(() => reject(error));
      }
      return true;
    };

    const rounds = async (): Promise<void> => {
      while (!settled) {
        const list = await options.list();
        if (settled || list.items.some((item) => decide(item, 'EXISTING'))) return;
        if (list.items.length === 0 && options.absent) {
          const absent = options.absent;
          finish(() => resolve(absent()));
          return;
        }
        const broken = await new Promise<unknown>((closed) => {
          const query = { fieldSelector: options.fieldSelector, ...(list.metadata?.resourceVersion && { resourceVersion: list.metadata.resourceVersion }) };
          options.watch
            .watch(
              options.path,
              query,
              (event, object) => {
                // ERROR carries a Status (e.g. 410 Gone: the resourceVersion is too old): start over from a fresh list.
                if (event === 'ERROR') current?.abort();
                else if (event === 'ADDED' || event === 'MODIFIED' || event === 'DELETED') decide(object, event);
              },
              closed,
            )
            .then((controller) => {
              current = controller;
              if (settled) controller.abort();
            }, closed);
        });
        if (broken && !settled) await new Promise((pause) => setTimeout(pause, REWATCH_PAUSE_MS));
      }
    };
    rounds().catch((error: unknown) => finish(() => reject(error)));
  });
}
