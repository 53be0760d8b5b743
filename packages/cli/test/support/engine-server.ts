import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Engine, ensureApiToken, startApiServer } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { afterEach } from 'vitest';

export interface EngineServer {
  engine: Engine;
  /** Where the API answers, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The engine's data directory, where its token file is. */
  dataDir: string;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real engine on a temporary data directory with its HTTP API on 127.0.0.1 and a free
 * port, as `weir up` runs them; stopped and removed after the test.
 */
export async function startEngineServer(options: { start?: boolean } = {}): Promise<EngineServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-cli-engine-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  cleanups.push(() => engine.stop());
  if (options.start ?? true) engine.start();
  const server = await startApiServer({ engine, token: await ensureApiToken(dataDir), host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close());
  return { engine, url: server.url, dataDir };
}
