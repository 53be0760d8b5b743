import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { implementedResourceTypes, type AnyResourceType } from '@weir/resources';
import { createLogger, Engine, type EngineOptions } from '../../src/index.js';
import { afterEach } from 'vitest';


const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export const silentLogger = createLogger({ level: 'silent' });

/** A temporary data directory, removed after the test. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An engine on the built-in types (plus any given), stopped after the test. Not started. */
export function testEngine(options: Partial<EngineOptions> & { extraTypes?: AnyResourceType[] } = {}): Engine {
  const { extraTypes = [], ...rest } = options;
  const engine = Engine.open({
    dataDir: ':memory:',
    resourceTypes: [...implementedResourceTypes(), ...extraTypes],
    logger: silentLogger,
    ...rest,
  });
  let stopped = false;
  const stop = engine.stop.bind(engine);
  engine.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanups.push(() => engine.stop());
  return engine;
}
