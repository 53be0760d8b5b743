import type { BuildEvent, BuildRecord, Engine } from '../../src/index.js';

export interface FinishedBuild {
  build: BuildRecord;
  events: BuildEvent[];
  /** Every log line of the build, in order, as `origin: line`. */
  logs: string[];
}

/** Follows a build to its end and returns what a user would see of it. */
export async function followBuild(engine: Engine, buildId: number): Promise<FinishedBuild> {
  const events: BuildEvent[] = [];
  for await (const event of engine.events.follow(buildId)) events.push(event);
  const logs = events.flatMap((event) => (event.type === 'log' ? [`${event.origin}: ${event.data.line}`] : []));
  return { build: engine.store.builds.byId(buildId)!, events, logs };
}

/** Sets the pipeline, starts the engine, triggers the job and follows its build to the end. */
export async function runJob(engine: Engine, text: string, job = 'job', options: { pipeline?: string; vars?: Record<string, unknown> } = {}): Promise<FinishedBuild> {
  const name = options.pipeline ?? 'p';
  if (!engine.store.pipelines.get({ name })) engine.setPipeline({ name, text, ...(options.vars && { vars: options.vars }) });
  engine.start();
  const pipeline = engine.store.pipelines.get({ name })!;
  const jobId = engine.store.jobs.get(pipeline.id, job)!.id;
  const build = engine.triggerJob(jobId);
  return followBuild(engine, build.id);
}

/** Step outcomes by step name (the last one wins when a step runs several times). */
export function outcomes(result: FinishedBuild): Record<string, string> {
  const names = new Map<string, string>();
  const found: Record<string, string> = {};
  for (const event of result.events) {
    if (event.type === 'step-started' && event.data.name !== undefined) names.set(event.origin, event.data.name);
    if (event.type === 'step-finished') found[names.get(event.origin) ?? event.origin] = event.data.outcome;
  }
  return found;
}
