import type { Logger } from '../logging.js';
import type { BuildRunner } from '../runner/build-runner.js';
import type { BuildRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { decideLifecycle } from './lifecycle-decisions.js';

export interface PipelineLifecycleOptions {
  store: Store;
  runner: BuildRunner;
  logger: Logger;
  now?: () => number;
}

/** What retiring a pipeline did: archived it at once, or started its teardown build. */
export type RetireOutcome = { archived: true } | { archived: false; teardownBuild: BuildRecord };

/** Longest sleep between passes; a lease due later is looked at again then. */
const MAX_SLEEP_MS = 3_600_000;

/**
 * Carries out `decideLifecycle`: tears pipelines down and archives them. It looks again when a
 * build ends or a pipeline changes, and when the next lease runs out.
 */
export class PipelineLifecycle {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private passQueued = false;
  private runningSince: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PipelineLifecycleOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.runningSince = this.now();
    this.unsubscribe = this.options.store.subscribe((event) => {
      if (event.kind === 'build-finished' || event.kind === 'builds-aborted' || event.kind === 'pipelines-changed') this.queuePass();
    });
    this.queuePass();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Archives a pipeline the way its config asks: with a `teardown_job`, that job runs first (the
   * other jobs stop) and the pipeline is archived once a build of it succeeds.
   */
  retire(pipelineId: number, reason: string): RetireOutcome {
    const { store, runner, logger } = this.options;
    const pipeline = store.pipelines.byId(pipelineId);
    if (!pipeline || pipeline.archived) return { archived: true };
    const teardownName = (pipeline.config as { teardown_job?: unknown }).teardown_job;
    const teardownJobId = typeof teardownName === 'string' ? store.jobs.idsByName(pipelineId).get(teardownName) : undefined;
    if (teardownJobId === undefined) {
      store.pipelines.archiveFor(pipelineId, reason);
      logger.info({ pipelineId, pipeline: pipeline.name, instanceVars: pipeline.instanceVars, reason }, 'pipeline archived');
      return { archived: true };
    }
    const inFlight = pipeline.teardownBuildId === null ? undefined : store.builds.byId(pipeline.teardownBuildId);
    if (pipeline.retiring !== null && inFlight && (inFlight.status === 'pending' || inFlight.status === 'started')) {
      return { archived: false, teardownBuild: inFlight };
    }
    const build = store.transaction(() => {
      const created = store.builds.createManual(teardownJobId);
      store.pipelines.markRetiring(pipelineId, reason, created.id);
      return created;
    });
    logger.info({ pipelineId, pipeline: pipeline.name, instanceVars: pipeline.instanceVars, reason, buildId: build.id }, 'pipeline tearing down');
    runner.abortPipelineBuilds(pipelineId, teardownJobId).catch((error: unknown) => logger.warn({ err: error, pipelineId }, 'aborting builds of a pipeline being torn down failed'));
    return { archived: false, teardownBuild: build };
  }

  private queuePass(): void {
    if (this.passQueued || !this.unsubscribe) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      if (this.unsubscribe) this.reconcile();
    });
  }

  /** One pass: decides from the store and acts. Runs by itself; public for tests that move the clock. */
  reconcile(): void {
    const { store, logger } = this.options;
    let nextDueAt: number | undefined;
    try {
      const decided = decideLifecycle(store.pipelines.lifecycleRows(), this.now(), { ...(this.runningSince !== undefined && { runningSince: this.runningSince }) });
      nextDueAt = decided.nextDueAt;
      for (const action of decided.actions) {
        try {
          if (action.kind === 'archive') {
            store.pipelines.archiveFor(action.pipelineId, action.reason);
            logger.info({ pipelineId: action.pipelineId, reason: action.reason }, 'pipeline torn down and archived');
          } else {
            this.retire(action.pipelineId, action.reason);
          }
        } catch (error) {
          // One pipeline that cannot be retired must not hold up the others; the next pass tries again.
          logger.error({ err: error, pipelineId: action.pipelineId, reason: action.reason }, 'retiring a pipeline failed');
        }
      }
    } catch (error) {
      // A pass is made from stored state alone, so the next event or lease makes it again.
      logger.error({ err: error }, 'pipeline lifecycle pass failed');
    } finally {
      this.arm(nextDueAt);
    }
  }

  private arm(nextDueAt: number | undefined): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (nextDueAt === undefined || !this.unsubscribe) return;
    this.timer = setTimeout(() => this.queuePass(), Math.min(Math.max(nextDueAt - this.now(), 0) + 10, MAX_SLEEP_MS));
    this.timer.unref();
  }
}
