import { whyNotTriggered } from './auto-trigger.js';
import type { JobDecision, Reason, SchedulingDecisions } from './decisions.js';
import { explainInputs } from './explain-inputs.js';
import { InputUsage } from './input-usage.js';
import { jobExplanation } from './job-explanation.js';
import { jobPaused, pipelinePaused, pipelineRetiring } from './reasons.js';
import { resolveInputs, type InputResolution } from './resolve-inputs.js';
import { SchedulingSlots, type QueuedBuild } from './scheduling-slots.js';
import { sharedPassedJobs, type SharedPassedJobs } from './shared-passed-jobs.js';
import type { BuildId, ChosenInput, JobInput, PendingBuild, SchedulableJob, SchedulingSnapshot, VersionHistory } from './snapshot.js';

/**
 * One scheduling pass: for every requested job, start the pending builds that may start, create
 * a build when a trigger input has a new version, and say why anything waits. Pure: the same
 * snapshot always gives the same decisions.
 *
 * Jobs are handled in snapshot order, and each decision sees the ones before it: a build
 * started here counts as running and its inputs as used. So a job with `version: every` and
 * free `max_in_flight` slots starts one build per new version in a single pass, where Concourse
 * starts one per scheduler tick (re-requesting the job while versions remain): same builds,
 * without waiting for ticks. When the slots run out while a trigger input still has a new
 * version, one pending build is created, as Concourse's EnsurePendingBuildExists keeps at most
 * one pending build per job (of any kind: a pending manual build also suppresses it).
 *
 * `createBuilds` is in the order the builds should get their ids: serial groups start older
 * builds first. With `explain: false` the jobs' explanations are left out: describing every
 * candidate version costs more than deciding, and only `weir explain` reads them.
 */
export function decideNextBuilds(snapshot: SchedulingSnapshot, options: { explain?: boolean } = {}): SchedulingDecisions {
  const explain = options.explain ?? true;
  const { history } = snapshot;
  const usage = new InputUsage(history);
  // Resolved before anything starts: whether a job's inputs resolve decides whether its
  // pending builds hold their place in serial group queues, and that does not change within a
  // pass (starting builds only moves `every` on, it never makes inputs unsatisfiable).
  const initial = snapshot.jobs.map((job) => resolveInputs(job, history, usage, sharedPassedJobsOf(job.inputs)));
  const slots = new SchedulingSlots(snapshot, queuedBuilds(snapshot.jobs, initial));
  const decisions: SchedulingDecisions = { jobs: [], createBuilds: [], startBuilds: [], waitingForBuildSlot: false };
  snapshot.jobs.forEach((job, i) => {
    decisions.jobs.push(scheduleJob(job, initial[i] as InputResolution, { history, usage, slots, decisions, explain }));
  });
  decisions.waitingForBuildSlot = slots.refusedForBuildSlots;
  return decisions;
}

/**
 * `sharedPassedJobs`, once per inputs array: the scheduling loop hands the same array to every
 * pass until the job's config changes, and the answer depends on nothing else.
 */
const sharedByInputs = new WeakMap<readonly JobInput[], SharedPassedJobs>();

function sharedPassedJobsOf(inputs: readonly JobInput[]): SharedPassedJobs {
  let shared = sharedByInputs.get(inputs);
  if (shared === undefined) {
    shared = sharedPassedJobs(inputs);
    sharedByInputs.set(inputs, shared);
  }
  return shared;
}

interface Pass {
  history: VersionHistory;
  usage: InputUsage;
  slots: SchedulingSlots;
  decisions: SchedulingDecisions;
  explain: boolean;
}

function scheduleJob(job: SchedulableJob, initial: InputResolution, pass: Pass): JobDecision {
  let resolution = initial;
  let resolutionIsStale = false;
  const currentResolution = (): InputResolution => {
    if (resolutionIsStale) {
      resolution = resolveInputs(job, pass.history, pass.usage, initial.shared);
      resolutionIsStale = false;
    }
    return resolution;
  };
  let started = 0;
  const recordStart = (buildId: BuildId | null, inputs: ChosenInput[]): void => {
    pass.slots.recordStart(job, buildId);
    pass.usage.recordStart(job.id, inputs);
    resolutionIsStale = true;
    started++;
  };

  const paused = job.paused || job.pipelinePaused || job.pipelineRetiring;
  const waiting: PendingBuild[] = [];
  let createdPending = false;
  if (!paused) {
    let queueIsBlocked = false;
    for (const build of job.pendingBuilds) {
      const inputs = build.rerunInputs ?? currentResolution().chosen;
      // A build without inputs waits without holding up the builds behind it: those are
      // reruns with inputs of their own, or builds that cannot resolve either.
      if (queueIsBlocked || inputs === null) {
        waiting.push(build);
        continue;
      }
      if (!pass.slots.canStartPending(job, build.id)) {
        queueIsBlocked = true;
        waiting.push(build);
        continue;
      }
      const startInputs = [...inputs];
      pass.decisions.startBuilds.push({ buildId: build.id, jobId: job.id, inputs: startInputs });
      recordStart(build.id, startInputs);
    }

    // A waiting build takes the newest inputs when it starts, so none is added next to it.
    // Otherwise: new builds while a trigger input has a new version and slots are free, then
    // at most one pending build.
    if (waiting.length === 0) {
      for (let next = currentResolution().chosen; next !== null && whyNotTriggered(job, next) === null; next = currentResolution().chosen) {
        if (!pass.slots.canStartNew(job)) {
          pass.decisions.createBuilds.push({ jobId: job.id, start: null });
          pass.slots.recordNewPending(job);
          createdPending = true;
          break;
        }
        pass.decisions.createBuilds.push({ jobId: job.id, start: { inputs: next } });
        recordStart(null, next);
      }
    }
  }

  const final = currentResolution();
  if (!pass.explain) return { jobId: job.id, nextInputs: final.chosen };
  const blockers: Reason[] = [];
  if (job.pipelinePaused) blockers.push(pipelinePaused(job.pipelineName));
  if (job.paused) blockers.push(jobPaused(job.name));
  if (job.pipelineRetiring) blockers.push(pipelineRetiring(job.pipelineName));
  if (!paused) {
    const nextToStart = waiting.find((build) => build.rerunInputs !== null || final.chosen !== null);
    if (nextToStart !== undefined || createdPending) blockers.push(...pass.slots.blockers(job, nextToStart?.id ?? null));
    else if (started === 0 && waiting.length === 0 && final.chosen !== null) {
      const notTriggered = whyNotTriggered(job, final.chosen);
      if (notTriggered !== null) blockers.push(notTriggered);
    }
  }

  const explanation = jobExplanation(job, {
    started,
    waiting: waiting.length + (createdPending ? 1 : 0),
    blockers,
    inputs: explainInputs(job, final, pass.history),
  });
  return { jobId: job.id, nextInputs: final.chosen, explanation };
}

function queuedBuilds(jobs: readonly SchedulableJob[], initial: readonly InputResolution[]): Map<BuildId, QueuedBuild> {
  const queued = new Map<BuildId, QueuedBuild>();
  jobs.forEach((job, i) => {
    const paused = job.paused || job.pipelinePaused || job.pipelineRetiring;
    const resolves = (initial[i] as InputResolution).chosen !== null;
    for (const build of job.pendingBuilds) {
      queued.set(build.id, { label: `${job.name} #${build.name}`, eligible: !paused && (build.rerunInputs !== null || resolves) });
    }
  });
  return queued;
}
