import type { Engine } from '@weir/engine';

/**
 * Waits until no build is pending or running and no pipeline is being torn down, for a moment
 * on end (a finished build may schedule the next one a few milliseconds later).
 */
export async function waitUntilQuiet(engine: Engine, timeoutMs = 90_000): Promise<void> {
  let quietSince: number | undefined;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const busy = engine.store.builds.listRecent(500).some((b) => b.status === 'pending' || b.status === 'started');
    const retiring = engine.store.pipelines.list().some((p) => p.retiring !== null);
    if (busy || retiring) quietSince = undefined;
    else if (quietSince === undefined) quietSince = Date.now();
    else if (Date.now() - quietSince > 400) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`builds did not settle within ${timeoutMs / 1000} s`);
}
