import type { V1Pod } from '@kubernetes/client-node';
import { WeirError } from '../../errors.js';
import type { ClusterConnection } from './cluster-connection.js';

/**
 * One pod as the API server reports it, followed with a watch from the version the engine
 * created. `next` resolves with the pod as it is now, or as soon as it changes, or after
 * `tickMs` without a change (so a caller can act on time passing: an unschedulable grace).
 * A watch that ends (API servers end them every few minutes) is started again from the last
 * version seen; a pod deleted by someone else rejects with `kubernetes-pod-deleted`.
 */
export class PodWatch {
  private latest: V1Pod;
  private seen = '';
  private deleted = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private controller: AbortController | undefined;
  private stopped = false;
  private restarts = 0;

  constructor(
    private readonly connection: ClusterConnection,
    created: V1Pod,
    private readonly onWatchError: (error: unknown) => void,
  ) {
    this.latest = created;
  }

  get pod(): V1Pod {
    return this.latest;
  }

  async start(): Promise<void> {
    const { namespace, name, resourceVersion } = this.latest.metadata!;
    this.controller = await this.connection.watch.watch(
      `/api/v1/namespaces/${encodeURIComponent(namespace!)}/pods`,
      { fieldSelector: `metadata.name=${name}`, ...(resourceVersion && { resourceVersion }), allowWatchBookmarks: false },
      (type: string, object: V1Pod) => {
        if (type === 'DELETED') this.deleted = true;
        else if (type === 'ADDED' || type === 'MODIFIED') this.latest = object;
        this.wake?.();
      },
      (error: unknown) => {
        if (this.stopped) return;
        if (error) this.onWatchError(error);
        // A watch that failed five times in a row without news is a cluster problem worth an error.
        if (error && ++this.restarts > 5) {
          this.failure = error;
          this.wake?.();
          return;
        }
        setTimeout(() => void this.start().catch((cause: unknown) => ((this.failure = cause), this.wake?.())), error ? 500 : 0);
      },
    );
  }

  /** The pod after its next change, or after `tickMs`; the current pod at once when it changed since the last call. */
  async next(signal: AbortSignal, tickMs: number): Promise<V1Pod> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (this.failure !== undefined) throw this.failure;
      if (this.deleted) {
        throw new WeirError('kubernetes-pod-deleted', `pod ${this.latest.metadata?.name} was deleted while the task ran`, {
          hint: 'something other than weir deleted the pod (an operator, an eviction, a namespace going away); run the build again',
        });
      }
      const version = this.latest.metadata?.resourceVersion ?? '';
      if (version !== this.seen) {
        this.seen = version;
        this.restarts = 0;
        return this.latest;
      }
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => done(false), tickMs);
        const onAbort = (): void => done(true);
        const done = (changed: boolean): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.wake = undefined;
          resolve(changed);
        };
        this.wake = () => done(true);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      if (!woke && !signal.aborted) return this.latest;
    }
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}
