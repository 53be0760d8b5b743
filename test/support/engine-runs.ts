import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createLogger, Engine, type BuildEvent, type BuildRecord, type EngineOptions } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

/** An engine in-process, for probes that run builds: stopped, and its directories removed, after the test. */

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A directory under the temporary directory (a default local path root), removed after the test. */
export function scratchDir(prefix = 'weir-probe-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function openEngine(options: Partial<EngineOptions> = {}): Engine {
  const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }), ...options });
  cleanups.push(() => engine.stop());
  return engine;
}

export interface FinishedBuild {
  build: BuildRecord;
  events: BuildEvent[];
  /** Every event's data as JSON, one a line: what a reader of the build can see. */
  log: string;
}

/** Sets the pipeline (once), starts the engine, triggers the job and follows its build to the end. */
export async function runJob(engine: Engine, text: string, job: string, pipeline = 'p'): Promise<FinishedBuild> {
  if (!engine.store.pipelines.get({ name: pipeline })) engine.setPipeline({ name: pipeline, text });
  engine.start();
  const pipelineId = engine.store.pipelines.get({ name: pipeline })!.id;
  const build = engine.triggerJob(engine.store.jobs.get(pipelineId, job)!.id);
  const events: BuildEvent[] = [];
  for await (const event of engine.events.follow(build.id)) events.push(event);
  const log = events.map((event) => JSON.stringify(event.data)).join('\n');
  return { build: engine.store.builds.byId(build.id)!, events, log };
}
