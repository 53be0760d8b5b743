import type { Reason, ReasonCode } from './decisions.js';

/**
 * Every message the scheduler gives a user, in one place. They answer "why isn't my job
 * running?", so each names the job, input, resource, version or group it is about.
 */
function reason(code: ReasonCode, message: string): Reason {
  return { code, message };
}

function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export const pipelinePaused = (pipeline: string): Reason => reason('pipeline-paused', `pipeline ${pipeline} is paused`);

export const pipelineRetiring = (pipeline: string): Reason =>
  reason('pipeline-retiring', `pipeline ${pipeline} is being torn down: only its teardown job runs`);
export const jobPaused = (job: string): Reason => reason('job-paused', `job ${job} is paused`);

export const maxInFlightReached = (running: number, maxInFlight: number): Reason =>
  reason('max-in-flight', `max_in_flight reached: ${running} of ${maxInFlight} builds running`);

export const buildSlotsFull = (running: number, limit: number): Reason =>
  reason('build-slots-full', `waiting for a build slot (${running} running, limit ${limit})`);

export const serialGroupRunning = (group: string, running: number): Reason =>
  reason('serial-group-busy', `serial group ${group} is busy: ${running} ${running === 1 ? 'build' : 'builds'} running`);

/** `aheadBuild` is an older pending build of another job in the group ("deploy #7"). */
export const serialGroupQueue = (group: string, aheadBuild: string): Reason =>
  reason('serial-group-busy', `serial group ${group} starts the older pending build ${aheadBuild} first`);

export const noVersions = (resource: string): Reason => reason('no-versions', `resource ${resource} has no versions yet`);

export const versionDisabled = (version: string): Reason => reason('disabled', `${version} is disabled`);

export const versionGone = (version: string): Reason => reason('gone', `${version} no longer exists at its source`);

export const everyVersionDisabledOrGone = (resource: string): Reason => reason('gone', `every version of ${resource} is disabled or no longer exists at its source`);

export const everyVersionDisabled = (resource: string): Reason => reason('disabled', `every version of ${resource} is disabled`);

export const pinnedElsewhere = (resource: string, pinned: string): Reason =>
  reason('pinned-elsewhere', `resource ${resource} is pinned to ${pinned}`);

export const pinnedVersionMissing = (resource: string, pinned: string): Reason =>
  reason('pinned-version-missing', `no version of ${resource} matches the get step's version ${pinned} yet`);

export const notPassed = (version: string, job: string): Reason => reason('not-passed', `${version} has not passed ${job} (no succeeded build of ${job} used it)`);

/** The job passed versions of the resource, but all from a source the resource no longer has. */
export const sourceChangedSincePassed = (resource: string, job: string): Reason =>
  reason(
    'source-changed',
    `the source of ${resource} changed, so its versions are a new history: no succeeded build of ${job} has used one of them yet (its earlier builds used the old source)`,
  );

export const noVersionPassed = (resource: string, jobs: readonly string[]): Reason =>
  reason('not-passed', `no version of ${resource} has passed ${list(jobs)}`);

export const notSameBuildAs = (job: string, others: ReadonlyArray<{ input: string; version: string }>): Reason =>
  reason('not-same-build', `no succeeded build of ${job} used it together with ${list(others.map((o) => `${o.input} ${o.version}`))}`);

export const noCommonBuild = (job: string, inputs: readonly string[]): Reason =>
  reason('not-same-build', `no succeeded build of ${job} used versions of ${list(inputs)} together`);

export const noNewTriggerVersion = (triggerInputs: readonly string[]): Reason =>
  reason('no-new-trigger-version', `no new version of ${triggerInputs.length === 1 ? 'trigger input' : 'trigger inputs'} ${list(triggerInputs)} since the last build`);

export const noTriggerInput = (job: string): Reason =>
  reason('no-trigger-input', `no input of ${job} has trigger: true, so builds only start when triggered manually`);

export const tooManyCombinations = (budget: number, inputs: readonly string[]): Reason =>
  reason('too-many-combinations', `gave up after ${budget} candidate checks looking for versions of ${list(inputs)} from common upstream builds`);

/** The input is fine on its own, but `linked` (tied to it through `passed` job `job`) has no usable version. */
export const linkedInputUnusable = (linked: string, job: string): Reason =>
  reason('linked-input-unusable', `waits for input ${linked}, which shares passed job ${job} with it and has no usable version: both must come from one succeeded build of ${job}`);
