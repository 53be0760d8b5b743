import { WeirError } from '../errors.js';
import type { Reason } from './decisions.js';
import { buildSlotsFull, maxInFlightReached, serialGroupQueue, serialGroupRunning } from './reasons.js';
import { serialGroupKey, type BuildId, type JobId, type SchedulableJob, type SchedulingSnapshot } from './snapshot.js';

/** What the slots need to know about a pending build of any job in a serial group. */
export interface QueuedBuild {
  /** "deploy #7", for explanations. */
  label: string;
  /**
   * Whether the build takes its turn in its serial groups. As in Concourse (which only queues
   * builds of unpaused jobs whose inputs are determined), a build of a paused job, or a
   * non-rerun build whose inputs cannot be resolved, does not hold up the other jobs.
   */
  eligible: boolean;
}

interface GroupQueue {
  name: string;
  running: number;
  pending: readonly BuildId[];
  /** Pending builds before this index have started in this pass or are not eligible. */
  head: number;
  startedThisPass: Set<BuildId>;
  /** The job that got a new pending build in this pass; it is ahead of any later new build. */
  newPendingJob: string | null;
}

/**
 * `max_in_flight`, serial groups and the engine's bound on running builds, counting the builds
 * started earlier in the same pass.
 *
 * A job may start a build while fewer than `maxInFlight` of its builds run. A serial group runs
 * one build at a time across all its jobs (Concourse's `MaxInFlight()` is 1 for any job with
 * `serial_groups`), and starts its pending builds in build id order across jobs: a build starts
 * only when it is the oldest eligible pending build of every group its job is in. A build
 * created in this pass is younger than every pending build, so it starts only when its groups
 * have no eligible pending build left. Pending builds of jobs that are not in the snapshot are
 * assumed eligible, since nothing is known about them: the loop should request every job of a
 * serial group together.
 *
 * The engine-wide bound comes last: a build its job and groups would start waits for a slot,
 * and `refusedForBuildSlots` tells the loop that one did.
 */
export class SchedulingSlots {
  private readonly runningByJob = new Map<JobId, number>();
  private readonly groups = new Map<string, GroupQueue>();
  private engineRunning: number;
  /** Some build would have started in this pass but for the engine's bound. */
  refusedForBuildSlots = false;

  constructor(
    private readonly snapshot: SchedulingSnapshot,
    private readonly queuedBuilds: ReadonlyMap<BuildId, QueuedBuild>,
  ) {
    this.engineRunning = snapshot.buildSlots?.running ?? 0;
  }

  canStartPending(job: SchedulableJob, buildId: BuildId): boolean {
    if (this.jobIsFull(job)) return false;
    const groupsAllow = this.groupsOf(job).every((group) => {
      if (group.running > 0) return false;
      const first = this.firstWaiting(group);
      return first === undefined || first === buildId;
    });
    return groupsAllow && this.takesEngineSlot();
  }

  canStartNew(job: SchedulableJob): boolean {
    if (this.jobIsFull(job)) return false;
    const groupsAllow = this.groupsOf(job).every((group) => group.running === 0 && this.firstWaiting(group) === undefined && group.newPendingJob === null);
    return groupsAllow && this.takesEngineSlot();
  }

  /** A build of the job starts in this pass: a pending one (by id) or a new one (null). */
  recordStart(job: SchedulableJob, buildId: BuildId | null): void {
    this.engineRunning++;
    this.runningByJob.set(job.id, this.running(job) + 1);
    for (const group of this.groupsOf(job)) {
      group.running++;
      if (buildId !== null) group.startedThisPass.add(buildId);
    }
  }

  recordNewPending(job: SchedulableJob): void {
    for (const group of this.groupsOf(job)) group.newPendingJob ??= job.name;
  }

  /**
   * What keeps the job's next waiting build from starting: `waiting` is that build's id, or
   * null for a build created pending in this pass.
   */
  blockers(job: SchedulableJob, waiting: BuildId | null): Reason[] {
    const blockers: Reason[] = [];
    if (job.maxInFlight !== null && this.jobIsFull(job)) blockers.push(maxInFlightReached(this.running(job), job.maxInFlight));
    for (const group of this.groupsOf(job)) {
      if (group.running > 0) {
        blockers.push(serialGroupRunning(group.name, group.running));
        continue;
      }
      const first = this.firstWaiting(group);
      if (first !== undefined && first !== waiting) blockers.push(serialGroupQueue(group.name, this.queuedBuilds.get(first)?.label ?? `with id ${first} (of a job not in this scheduling pass)`));
      else if (waiting === null && group.newPendingJob !== null && group.newPendingJob !== job.name) blockers.push(serialGroupQueue(group.name, `of ${group.newPendingJob}`));
    }
    if (this.engineIsFull()) blockers.push(buildSlotsFull(this.engineRunning, this.snapshot.buildSlots!.limit));
    return blockers;
  }

  private engineIsFull(): boolean {
    const slots = this.snapshot.buildSlots;
    return slots !== undefined && this.engineRunning >= slots.limit;
  }

  private takesEngineSlot(): boolean {
    if (!this.engineIsFull()) return true;
    this.refusedForBuildSlots = true;
    return false;
  }

  private running(job: SchedulableJob): number {
    return this.runningByJob.get(job.id) ?? job.runningBuildCount;
  }

  private jobIsFull(job: SchedulableJob): boolean {
    return job.maxInFlight !== null && this.running(job) >= job.maxInFlight;
  }

  private firstWaiting(group: GroupQueue): BuildId | undefined {
    for (; group.head < group.pending.length; group.head++) {
      const buildId = group.pending[group.head] as BuildId;
      if (!group.startedThisPass.has(buildId) && this.queuedBuilds.get(buildId)?.eligible !== false) return buildId;
    }
    return undefined;
  }

  private groupsOf(job: SchedulableJob): GroupQueue[] {
    return job.serialGroups.map((name) => {
      const key = serialGroupKey(job.pipelineId, name);
      let group = this.groups.get(key);
      if (group === undefined) {
        const state = this.snapshot.serialGroups.get(key);
        if (state === undefined) {
          throw new WeirError('snapshot-without-serial-group', `the scheduling snapshot has no state for serial group ${name} of pipeline ${job.pipelineName}`, {
            hint: 'this is a bug in loading the snapshot: it must cover every serial group of the requested jobs',
          });
        }
        group = { name, running: state.runningBuildCount, pending: state.pendingBuildIds, head: 0, startedThisPass: new Set(), newPendingJob: null };
        this.groups.set(key, group);
      }
      return group;
    });
  }
}
