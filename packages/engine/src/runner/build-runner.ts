import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobConfig } from '../config/schema/index.js';
import { defaultTriggerVars } from '../config/trigger-vars.js';
import { WeirError } from '../errors.js';
import type { TaskContainers } from '../executors/sandbox/task-containers.js';
import type { FinishedBuildStatus } from '../store/records.js';
import { ArtifactScope } from './artifact-scope.js';
import { BuildFinisher } from './build-finisher.js';
import { LocalVars } from './local-vars.js';
import { compilePlan } from './plan/compile-plan.js';
import type { Plan } from './plan/plan.js';
import { Redactor } from '../secrets/redactor.js';
import { runPlan } from './run-plan.js';
import { RunningBuild, type BuildServices } from './running-build.js';
import { StepErrored } from './step-errored.js';
import { childStopController, describeStop, ENGINE_STOPPED, stopController, stopReasonOf } from './stop-reasons.js';

export interface BuildRunnerOptions extends BuildServices {
  /** Each running build's files live under here, and are removed when it ends. */
  buildsDir: string;
  /** Keeps a failed build's task containers for `weir intercept` instead of removing its files. */
  containers?: TaskContainers;
}

interface ActiveBuild {
  pipelineId: number | null;
  jobId: number | null;
  stop: ReturnType<typeof childStopController>;
  done: Promise<void>;
}

/**
 * Runs the builds the scheduler starts: compiles the job's plan, stores it, interprets it,
 * and ends the build with its status and the versions its puts made. Notified by the store
 * (habit 9), so a build starts as soon as it is scheduled.
 */
export class BuildRunner {
  private readonly active = new Map<number, ActiveBuild>();
  private readonly engine = stopController();
  private unsubscribe: (() => void) | undefined;

  private readonly finisher: BuildFinisher;

  constructor(private readonly options: BuildRunnerOptions) {
    this.finisher = new BuildFinisher(options.store, options.events, options.logger);
  }

  /**
   * Builds that were running when the engine last stopped cannot be resumed (their processes
   * are gone): they end `errored`, saying so. Pending builds are kept and run when scheduled.
   */
  settleInterrupted(): number {
    const { store, events } = this.options;
    // The data directory's lock says no other engine uses these files: what is left is from builds that can never go on.
    rmSync(this.options.buildsDir, { recursive: true, force: true });
    const interrupted = store.builds.listStarted();
    const reason = `${ENGINE_STOPPED} this build was running (crash or kill); nothing of it can be resumed`;
    for (const build of interrupted) {
      events.resumeAfterCrash(build.id);
      events.append(build.id, { type: 'error', data: { code: 'build-interrupted', message: reason, hint: 'rerun the build' } });
      this.finisher.finishNow({ buildId: build.id, status: 'errored', outputs: [], reason });
    }
    return interrupted.length;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.store.subscribe((event) => {
      if (event.kind === 'builds-started') for (const id of event.buildIds) this.launch(id);
      if (event.kind === 'builds-aborted') this.finisher.announceAll(event.buildIds.map((buildId) => ({ buildId, status: 'aborted' as const })));
    });
    for (const build of this.options.store.builds.listStarted()) this.launch(build.id);
  }

  /** Aborts a build: a running one stops its steps (ensure and on_abort hooks still run). */
  abort(buildId: number): void {
    const running = this.active.get(buildId);
    if (running) {
      running.stop.stop({ kind: 'build-aborted' });
      return;
    }
    const build = this.options.store.builds.byId(buildId);
    if (!build) throw new WeirError('build-not-found', `no build with id ${buildId}`, { hint: 'list builds to see their ids' });
    if (build.status !== 'pending' && build.status !== 'started') {
      throw new WeirError('build-not-running', `build ${build.name} has already ended (${build.status})`, { hint: 'only pending or running builds can be aborted' });
    }
    this.finisher.finishNow({ buildId, status: 'aborted', outputs: [], reason: 'aborted before it started' });
  }

  /** Aborts the pipeline's running builds (but those of `exceptJobId`) and resolves when they have ended. */
  async abortPipelineBuilds(pipelineId: number, exceptJobId?: number): Promise<void> {
    const running = [...this.active].filter(([, build]) => build.pipelineId === pipelineId && (exceptJobId === undefined || build.jobId !== exceptJobId));
    for (const [, build] of running) build.stop.stop({ kind: 'build-aborted' });
    await Promise.all(running.map(([, build]) => build.done));
  }

  /** Stops every running build (they end `errored`: the engine stopped) and waits for them. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.engine.stop({ kind: 'engine-stopping' });
    this.finisher.stop();
    await Promise.all([...this.active.values()].map((build) => build.done));
  }

  /** Resolves when the build has ended, or at once if this runner is not running it. */
  settled(buildId: number): Promise<void> {
    return this.active.get(buildId)?.done ?? Promise.resolve();
  }

  private launch(buildId: number): void {
    if (this.active.has(buildId) || this.engine.signal.aborted) return;
    const stop = childStopController(this.engine.signal);
    const record = this.options.store.builds.byId(buildId);
    const entry: ActiveBuild = { pipelineId: record?.pipelineId ?? null, jobId: record?.jobId ?? null, stop, done: Promise.resolve() };
    this.active.set(buildId, entry);
    entry.done = this.run(buildId, stop.signal)
      .catch((error: unknown) => this.options.logger.error({ err: error, buildId }, 'build runner failed'))
      .finally(() => {
        stop.release();
        this.active.delete(buildId);
      });
  }

  private async run(buildId: number, signal: AbortSignal): Promise<void> {
    const { store, events, logger } = this.options;
    const record = store.builds.byId(buildId);
    if (!record || record.status !== 'started') return;
    const dir = join(this.options.buildsDir, String(buildId));
    let running: RunningBuild | undefined;
    let status: FinishedBuildStatus;
    let reason: string | undefined;
    // Filled as the build looks secrets up and loads vars without `reveal`.
    const redactor = new Redactor();
    const redact = (text: string) => redactor.redact(text);
    try {
      const job = record.jobId === null ? undefined : store.jobs.byId(record.jobId);
      const pipeline = record.pipelineId === null ? undefined : store.pipelines.sharedById(record.pipelineId);
      if (!job || !pipeline) throw new WeirError('build-job-gone', 'the build\'s job no longer exists', { hint: 'set the pipeline again' });
      let plan = store.builds.plan(buildId) as Plan | undefined;
      if (!plan) {
        plan = compilePlan(job.config as unknown as JobConfig);
        store.builds.savePlan(buildId, plan);
      }
      events.append(buildId, { type: 'status', data: { status: 'started' } });
      await mkdir(dir, { recursive: true });
      const inputs = new Map(store.builds.inputs(buildId).map((input) => [input.name, input]));
      const jobConfig = job.config as unknown as JobConfig;
      let triggerVars = record.triggerVars;
      if (triggerVars === null && jobConfig.trigger_vars !== undefined) {
        triggerVars = defaultTriggerVars(jobConfig.trigger_vars);
        store.builds.saveTriggerVars(buildId, triggerVars);
      }
      const vars = new LocalVars();
      for (const [name, value] of Object.entries(triggerVars ?? {})) vars.set(name, value);
      running = new RunningBuild(record, pipeline, job.name, inputs, dir, redactor, this.options.secrets.forPipeline(pipeline, redactor, signal), this.options);
      const ok = await runPlan(plan, {
        build: running,
        signal,
        engineSignal: this.engine.signal,
        artifacts: new ArtifactScope(),
        vars,
        prefix: '',
      });
      status = ok ? 'succeeded' : 'failed';
    } catch (error) {
      const stopped = stopReasonOf(signal);
      if (stopped?.kind === 'build-aborted') {
        status = 'aborted';
      } else {
        status = 'errored';
        reason = stopped ? describeStop(stopped) : StepErrored.from(error, redact).message;
        if (!stopped && !(error instanceof StepErrored)) {
          // Not reported by a step: the build failed before or around its plan.
          const errored = StepErrored.from(error, redact);
          if (errored.code === 'internal-error') logger.error({ err: redactor.redactError(error), buildId }, 'build failed unexpectedly');
          events.append(buildId, { type: 'error', data: { code: errored.code, message: errored.message, ...(errored.hint && { hint: errored.hint }) } });
        }
      }
    }
    // Before the build is seen to end: `weir intercept` right after finds its kept containers.
    const { containers } = this.options;
    if (containers) {
      await containers.buildEnded({ buildId, jobId: record?.jobId ?? null, status, dir }).catch((error: unknown) => logger.warn({ err: error, buildId }, 'could not keep or remove the build\'s directory'));
    }
    await this.finisher.finish({ buildId, status, outputs: running?.outputs ?? [], ...(reason !== undefined && { reason }) });
    if (!containers) await rm(dir, { recursive: true, force: true });
  }
}
