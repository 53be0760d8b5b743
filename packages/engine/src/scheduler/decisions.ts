import type { BuildId, ChosenInput, JobId, VersionId } from './snapshot.js';

/**
 * What one scheduling pass decided. The loop persists all of it in one transaction; within a
 * pass the decisions are already consistent with each other (a build started here counts
 * against `max_in_flight` and moves `every` inputs on for the next decision).
 */
export interface SchedulingDecisions {
  /** One entry per requested job: its next inputs (or why there are none) and why it waits. */
  jobs: JobDecision[];
  /** Builds to create. `start` builds are created already `started` with `inputs`. */
  createBuilds: BuildCreation[];
  /** Pending builds that may start now, with the inputs they run with. */
  startBuilds: BuildStart[];
}

export interface BuildCreation {
  jobId: JobId;
  /** Set when the build starts at once; a build that must wait gets its inputs when it starts. */
  start: { inputs: ChosenInput[] } | null;
}

export interface BuildStart {
  buildId: BuildId;
  jobId: JobId;
  inputs: ChosenInput[];
}

export interface JobDecision {
  jobId: JobId;
  /** The inputs the next build would use, or null when some input cannot be satisfied. */
  nextInputs: ChosenInput[] | null;
  explanation: JobExplanation;
}

/** Why a job is (not) running: what `weir explain` prints. */
export interface JobExplanation {
  jobId: JobId;
  job: string;
  pipeline: string;
  /** A one-line summary, e.g. "waiting: input repo has no version that passed unit". */
  summary: string;
  /** Reasons that hold the whole job back (paused, max in flight, serial group busy). */
  blockers: Reason[];
  inputs: InputExplanation[];
}

export interface InputExplanation {
  name: string;
  resource: string;
  /** The version chosen, if the input is satisfied. */
  chosen: VersionId | null;
  /** Candidate versions considered, in the order considered, each with why it was rejected. */
  candidates: CandidateExplanation[];
  /** Candidates considered but not listed, to keep explanations short. */
  omittedCandidates: number;
  /** Why the input has no version at all, when no candidate was even considered. */
  reasons: Reason[];
}

export interface CandidateExplanation {
  versionId: VersionId;
  version: Readonly<Record<string, string>>;
  accepted: boolean;
  rejections: Reason[];
}

export type ReasonCode =
  | 'pipeline-paused'
  | 'job-paused'
  | 'max-in-flight'
  | 'serial-group-busy'
  | 'no-versions'
  | 'disabled'
  | 'pinned-elsewhere'
  | 'pinned-version-missing'
  | 'not-passed'
  | 'not-same-build'
  | 'no-new-trigger-version'
  | 'no-trigger-input'
  | 'too-many-combinations';

export interface Reason {
  code: ReasonCode;
  message: string;
}
