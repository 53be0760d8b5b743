/**
 * Runs at most `limit` tasks at a time, in the order they were queued, so that a check's
 * hundreds of HEADs or an image's layers do not open a connection each at once.
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    running--;
    queue.shift()?.();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        running++;
        task().then(resolve, reject).finally(next);
      };
      if (running < limit) start();
      else queue.push(start);
    });
}

/**
 * Maps over items with at most `limit` in flight; results keep the items' order. After a
 * failure, queued items are not started: the first error is the answer anyway.
 */
export function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const run = createLimiter(limit);
  let failed: unknown;
  return Promise.all(
    items.map((item) =>
      run(async () => {
        if (failed !== undefined) throw failed;
        try {
          return await fn(item);
        } catch (error) {
          failed ??= error;
          throw error;
        }
      }),
    ),
  );
}
