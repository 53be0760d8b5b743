import type { BuildId, ChosenInput, JobId, VersionId } from './snapshot.js';

/**
 * What one scheduling pass decided. The loop persists all of it in one transaction; within a
 * pass the decisions are already consistent with each other (a build started here counts
 * against `max_in_flight` and moves `every` inputs on for the next decision).
 */
export interface SchedulingDecisions {
  /** One entry per requested job: its next inputs (or why there are none) and why it waits. */
  jobs: JobDecision[];
  /**
   * Builds to create. `start` builds are created already `started` with `inputs`. Listed in the
   * order the builds should get their ids: serial groups start older pending builds first.
   */
  createBuilds: BuildCreation[];
  /** Pending builds that may start now, with the inputs they run with. */
  startBuilds: BuildStart[];
  /**
   * A build would have started but for the engine's bound on running builds: the loop asks
   * for another pass over the oldest pending builds when a running one ends.
   */
  waitingForBuildSlot: boolean;
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
  /**
   * The inputs the next build would use once this pass's decisions are applied (so `every` has
   * moved past the versions started here), or null when some input cannot be satisfied.
   */
  nextInputs: ChosenInput[] | null;
  /** Left out when the pass was asked for decisions only (`explain: false`). */
  explanation?: JobExplanation;
}

/** Why a job is (not) running: what `weir explain` prints. */
export interface JobExplanation {
  jobId: JobId;
  job: string;
  pipeline: string;
  /** A one-line summary, e.g. "waiting: input repo has no version that passed unit". */
  summary: string;
  /**
   * Reasons that hold the whole job back (paused, max in flight, serial group busy), or, when
   * the job neither has nor gets a build, why no build was triggered (no-trigger-input,
   * no-new-trigger-version).
   */
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
  /**
   * Why the input has no version: one reason, also when candidates were considered and all
   * rejected (it is the short answer, `candidates` the detail). Empty when the input has a
   * version, or when it is fine on its own and only an input sharing a `passed` job has none.
   */
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
  | 'pipeline-retiring'
  | 'max-in-flight'
  | 'build-slots-full'
  | 'serial-group-busy'
  | 'no-versions'
  | 'disabled'
  | 'gone'
  | 'pinned-elsewhere'
  | 'pinned-version-missing'
  | 'not-passed'
  | 'source-changed'
  | 'not-same-build'
  | 'linked-input-unusable'
  | 'no-new-trigger-version'
  | 'no-trigger-input'
  | 'too-many-combinations';

export interface Reason {
  code: ReasonCode;
  message: string;
}
