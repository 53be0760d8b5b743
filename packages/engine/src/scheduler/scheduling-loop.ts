import type { Logger } from 'pino';
import type { JobConfig } from '../config/schema/index.js';
import { compilePlan } from '../runner/plan/compile-plan.js';
import type { Store } from '../store/index.js';
import type { SchedulingJobRow } from '../store/scheduling-store.js';
import { decideNextBuilds } from './decide-next-builds.js';
import type { JobExplanation, SchedulingDecisions } from './decisions.js';
import { explainJob } from './explain.js';
import { jobInputsFromConfig, jobMaxInFlight } from './job-inputs.js';
import { serialGroupKey, type JobInput, type SchedulableJob, type SchedulingSnapshot, type SerialGroupState } from './snapshot.js';

export interface SchedulingLoopOptions {
  store: Store;
  logger: Logger;
  /** A pass also runs this often, as a fallback for a missed notification. */
  fallbackIntervalMs?: number;
  /**
   * The most requested jobs one pass decides for (default 500); the rest stay requested and
   * the next pass, in the next turn of the event loop, takes them. A pass is synchronous, so
   * this bounds how long the API, the checker and the event streams wait behind it.
   */
  maxJobsPerPass?: number;
  /**
   * The most builds running at once across the engine; more wait `pending`, saying why, and
   * start oldest first as running ones end. Absent: unbounded.
   */
  maxRunningBuilds?: number;
  /**
   * How long one pass may hold the event loop (default 25 ms): after a slower pass the next
   * decides proportionally fewer jobs, after a quick one up to twice as many (never more than
   * maxJobsPerPass). A cold first pass after a start reads every job's history: on a store of
   * 1.5 million builds, slices of 500 jobs held the API for over a second each. A request that
   * arrives during a pass waits for it, so the target is half the 50 ms a request may take.
   */
  passTargetMs?: number;
}

export interface SchedulingPass {
  jobIds: number[];
  decisions: SchedulingDecisions;
  createdBuildIds: number[];
  startedBuildIds: number[];
  durationMs: number;
  /** Requested jobs left for the next pass. */
  remainingJobCount: number;
}

interface PipelineNames {
  configVersion: number;
  resourceIds: Map<string, number>;
  jobIds: Map<string, number>;
}

/** What a job's config says the scheduler needs, the same from pass to pass. */
interface JobShape {
  pipelineId: number;
  /** The names the inputs were resolved with: new names (a pipeline set again) mean new inputs. */
  names: PipelineNames;
  inputs: JobInput[];
  /** Some input pins a version by its fields: which version that is can change between passes. */
  pinned: boolean;
  maxInFlight: number | null;
  serialGroups: string[];
}

/**
 * The most jobs the first pass decides, before any pass has been timed: it is the coldest (after
 * a start, every job is requested and no history is in memory), and quick passes double it.
 */
const FIRST_SLICE_LIMIT = 64;

/**
 * Loads the jobs whose schedule was requested, asks `decideNextBuilds`, and saves what it
 * decided in one transaction. It runs when the store reports a request (habit 2), never by
 * scanning every job.
 */
export class SchedulingLoop {
  private readonly names = new Map<number, PipelineNames>();
  /**
   * Each job's inputs and limits, by job id, for its pipeline's config version: a warm full pass
   * parsed every requested job's config and turned it into inputs again, most of its time. Kept
   * without the config itself (at 10× the bench, the configs held 25 MB more).
   */
  private readonly shapes = new Map<number, JobShape>();
  private scheduled = false;
  /** The jobs the next pass decides at most, adapted to how long passes take. */
  private sliceLimit: number | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** A pass left a build pending for want of a build slot: an ending build should free one for it. */
  private waitingForBuildSlot = false;
  /** A build ended since the last pass: once per pass, not per build, the oldest waiting get a look. */
  private slotFreed = false;

  constructor(private readonly options: SchedulingLoopOptions) {}

  start(): void {
    this.running = true;
    this.unsubscribe = this.options.store.subscribe((event) => {
      if (event.kind === 'schedule-requested') this.requestPass();
      if (event.kind === 'pipelines-changed') {
        this.names.clear();
        this.shapes.clear();
      }
      if (event.kind === 'build-finished' && this.waitingForBuildSlot) {
        this.slotFreed = true;
        this.requestPass();
      }
    });
    this.timer = setInterval(() => {
      this.slotFreed = true;
      this.requestPass();
    }, this.options.fallbackIntervalMs ?? 10_000);
    this.timer.unref();
    this.requestPass();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.scheduled = false;
  }

  /** One pass over the requested jobs. Synchronous: nothing else writes while it runs. */
  runOnce(): SchedulingPass {
    const started = performance.now();
    const { store } = this.options;
    if (this.slotFreed) {
      this.slotFreed = false;
      this.offerFreedSlots();
    }
    const maxLimit = this.options.maxJobsPerPass ?? 500;
    const limit = Math.min(this.sliceLimit ?? FIRST_SLICE_LIMIT, maxLimit);
    // Counted, and only the slice listed: after a start every job is requested, and each slice
    // would otherwise list them all again.
    const requestedCount = store.jobs.countScheduleRequested();
    // Jobs that share no serial group never see each other's decisions within a pass (each
    // job's own builds and inputs are all a decision reads besides committed history), so
    // deciding the requested jobs in slices gives the decisions one pass over all would.
    // loadSnapshot adds each job's serial group peers, so a group is always decided whole.
    const jobIds = store.jobs.scheduleRequested(limit);
    const { snapshot, configs } = this.loadSnapshot(jobIds);
    const decisions = decideNextBuilds(snapshot, { explain: false });
    if (decisions.waitingForBuildSlot) this.waitingForBuildSlot = true;
    // A started build's plan is saved with its start, compiled from the config it was scheduled by.
    const saved = store.scheduling.apply(decisions, jobIds, (jobId) => compilePlan((configs.get(jobId) ?? store.scheduling.jobConfig(jobId)) as unknown as JobConfig));
    const remainingJobCount = requestedCount - jobIds.length;
    const pass = { jobIds, decisions, ...saved, durationMs: performance.now() - started, remainingJobCount };
    this.sliceLimit = nextSliceLimit(limit, jobIds.length, pass.durationMs, this.options.passTargetMs ?? 25, maxLimit);
    if (remainingJobCount > 0 && this.running) this.requestPass({ afterRequests: true });
    if (saved.createdBuildIds.length > 0 || saved.startedBuildIds.length > 0) {
      this.options.logger.info({ jobs: jobIds.length, created: saved.createdBuildIds.length, started: saved.startedBuildIds.length }, 'scheduled builds');
    }
    return pass;
  }

  /** Why a job is or is not running, computed now from the current state. */
  explain(jobId: number): JobExplanation | undefined {
    const { snapshot } = this.loadSnapshot([jobId]);
    if (snapshot.jobs.length === 0) return undefined;
    return explainJob(snapshot, jobId);
  }

  /**
   * Runs a pass now, in the caller's tick, for what is requested (a check that just saved new
   * versions): the build a webhook triggers starts before the webhook is answered. Jobs past
   * this pass's limit are left to the next turn, as usual. Does nothing while stopped.
   */
  runRequestedNow(): void {
    if (!this.running) return;
    this.scheduled = false;
    this.runLogged();
  }

  /**
   * A build slot may be free: the jobs of the oldest pending builds (as many as the bound, so
   * builds that still cannot start do not keep the slots empty) get a pass. Builds behind that
   * window are offered the next freed slot; a pass that leaves a build waiting for a slot asks
   * again. A window full of builds that cannot start for their own reasons (inputs without
   * versions) holds the ones behind it back until their jobs are requested otherwise.
   */
  private offerFreedSlots(): void {
    const limit = this.options.maxRunningBuilds;
    if (!this.waitingForBuildSlot || limit === undefined) return;
    this.waitingForBuildSlot = this.options.store.jobs.requestOldestPending(limit).more;
  }

  /**
   * Runs a pass in a later turn of the event loop. The rest of a sliced pass waits for an
   * immediate that queues another: the API's request gate releases the requests read in a poll
   * phase in an immediate, and only the second immediate is sure to run after a poll phase and
   * after what that poll queued, so requests that arrived during a slice are answered before the
   * next slice. A timer (which runs before the poll phase once due) gave that order only when
   * the machine was quick enough.
   */
  private requestPass(options: { afterRequests?: boolean } = {}): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = (): void => {
      if (!this.scheduled) return;
      this.scheduled = false;
      this.runLogged();
    };
    if (options.afterRequests) setImmediate(() => setImmediate(run));
    else setImmediate(run);
  }

  private runLogged(): void {
    try {
      this.runOnce();
    } catch (error) {
      this.options.logger.error({ err: error }, 'scheduling pass failed');
    }
  }

  private loadSnapshot(jobIds: readonly number[]): { snapshot: SchedulingSnapshot; configs: Map<number, Record<string, unknown>> } {
    const { store } = this.options;
    const rows = store.scheduling.loadJobs(store.scheduling.withSerialGroupPeers(jobIds), (jobId, pipelineId, configVersion) => {
      const shape = this.shapes.get(jobId);
      // A pinned version is looked up again each pass, from the config: it may have been checked since.
      return shape !== undefined && !shape.pinned && shape.pipelineId === pipelineId && shape.names === this.names.get(pipelineId) && shape.names.configVersion === configVersion;
    });
    const configs = new Map<number, Record<string, unknown>>();
    for (const row of rows) if (row.config !== undefined) configs.set(row.id, row.config);
    const jobs = rows.map((row) => this.toSchedulable(row));
    const limit = this.options.maxRunningBuilds;
    // With few slots, who decides first starts first: the job with the oldest pending build.
    if (limit !== undefined) jobs.sort((a, b) => oldestPending(a) - oldestPending(b) || a.id - b.id);
    const groups = new Map<string, { pipelineId: number; name: string }>();
    for (const job of jobs) {
      for (const name of job.serialGroups) groups.set(serialGroupKey(job.pipelineId, name), { pipelineId: job.pipelineId, name });
    }
    const serialGroups = new Map<string, SerialGroupState>();
    for (const group of store.scheduling.loadSerialGroups([...groups.values()])) {
      serialGroups.set(serialGroupKey(group.pipelineId, group.name), group);
    }
    return {
      snapshot: { jobs, serialGroups, history: store.history, ...(limit !== undefined && { buildSlots: { running: store.builds.countStarted(), limit } }) },
      configs,
    };
  }

  private toSchedulable(row: SchedulingJobRow): SchedulableJob {
    const names = this.pipelineNames(row.pipelineId, row.pipelineConfigVersion);
    let shape = this.shapes.get(row.id);
    if (row.config !== undefined || shape === undefined) {
      shape = this.jobShape(row.pipelineId, row.config ?? this.options.store.scheduling.jobConfig(row.id) ?? {}, names);
      this.shapes.set(row.id, shape);
    }
    return {
      id: row.id,
      name: row.name,
      pipelineId: row.pipelineId,
      pipelineName: row.pipelineName,
      inputs: shape.inputs,
      paused: row.paused,
      pipelinePaused: row.pipelinePaused,
      pipelineRetiring: row.pipelineRetiring,
      maxInFlight: shape.maxInFlight,
      serialGroups: shape.serialGroups,
      pendingBuilds: row.pendingBuilds,
      runningBuildCount: row.runningBuildCount,
    };
  }

  private jobShape(pipelineId: number, config: Record<string, unknown>, names: PipelineNames): JobShape {
    const inputs = this.jobInputs(config, names);
    const groups = config.serial_groups;
    return {
      pipelineId,
      names,
      inputs,
      pinned: inputs.some((input) => input.version.kind === 'pinned'),
      maxInFlight: jobMaxInFlight(config),
      serialGroups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  }

  private jobInputs(config: Record<string, unknown>, names: PipelineNames): JobInput[] {
    const { store } = this.options;
    return jobInputsFromConfig(config, {
      resourceIds: names.resourceIds,
      jobIds: names.jobIds,
      findVersion: (resourceId, fields) => store.resources.findVersion(resourceId, fields) ?? null,
    });
  }

  private pipelineNames(pipelineId: number, configVersion: number): PipelineNames {
    const cached = this.names.get(pipelineId);
    if (cached && cached.configVersion === configVersion) return cached;
    const { store } = this.options;
    const names = { configVersion, resourceIds: store.resources.idsByName(pipelineId), jobIds: store.jobs.idsByName(pipelineId) };
    this.names.set(pipelineId, names);
    return names;
  }
}

function oldestPending(job: SchedulableJob): number {
  const first = job.pendingBuilds[0];
  return first === undefined ? Number.POSITIVE_INFINITY : first.id;
}

/**
 * The fewest jobs a pass decides while more are requested: with the cheap per-job reads of a
 * job's history a cold job costs well under a millisecond, and a pass of a handful of jobs
 * slowed by a busy machine says little about the next.
 */
const MIN_SLICE_LIMIT = 16;

/**
 * The most jobs the next pass decides: fewer after a pass over its time target, in proportion
 * (at least MIN_SLICE_LIMIT, or `max` if lower), more after a pass well within it (at most
 * twice, at most `max`).
 */
export function nextSliceLimit(limit: number, decided: number, durationMs: number, targetMs: number, max: number): number {
  if (durationMs > targetMs && decided > 1) return Math.min(max, Math.max(MIN_SLICE_LIMIT, Math.floor((decided * targetMs) / durationMs)));
  if (durationMs < targetMs / 2 && decided >= limit) return Math.min(max, limit * 2);
  return limit;
}
