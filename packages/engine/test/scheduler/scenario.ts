import {
  decideNextBuilds,
  serialGroupKey,
  type BuildId,
  type ChosenInput,
  type JobExplanation,
  type JobId,
  type JobInput,
  type PendingBuild,
  type ResourceId,
  type SchedulableJob,
  type SchedulingDecisions,
  type SchedulingSnapshot,
  type SerialGroupState,
  type VersionFields,
  type VersionHistory,
  type VersionId,
} from '../../src/scheduler/index.js';
import { compareQueuePlace } from '../../src/scheduler/queue-place.js';

/**
 * Scheduler scenarios as small tables. Versions are labels (`c1`, `c2`, ...) listed oldest
 * first; each becomes the version `{ref: label}`. Builds are listed oldest first and get ids
 * 1, 2, ...; their inputs and outputs name version labels.
 */
export interface ScenarioSpec {
  resources: Record<string, string[]>;
  jobs: Record<string, JobSpec>;
  builds?: BuildSpec[];
  disabled?: Record<string, string[]>;
  /** Versions a complete check no longer reports (pruned snapshots). */
  gone?: Record<string, string[]>;
  /** Resource-level pins (config `version:` on the resource, or the API). */
  pins?: Record<string, string>;
  pipelinePaused?: boolean;
  /** Job → resources whose source changed after succeeded builds of the job used them. */
  passedBeforeSourceChange?: Record<string, string[]>;
  /** The jobs whose schedule was requested; all of them by default. */
  requested?: string[];
  /** The engine's bound on running builds; the running ones are the `started` builds above. */
  maxRunningBuilds?: number;
}

export interface JobSpec {
  inputs: GetSpec[];
  serial?: boolean;
  maxInFlight?: number;
  serialGroups?: string[];
  paused?: boolean;
}

export interface GetSpec {
  get: string;
  resource?: string;
  passed?: string[];
  trigger?: boolean;
  version?: 'latest' | 'every' | Record<string, string>;
}

export type BuildStatus = 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';

export interface BuildSpec {
  job: string;
  status: BuildStatus;
  /** Input name → version label. */
  inputs?: Record<string, string>;
  /** Resource name → version label, for puts. */
  outputs?: Record<string, string>;
  manual?: boolean;
  /** The build's name; its per-job number by default. */
  name?: string;
  /** A pending rerun (named `N.M`, rerunning build N of its job): input name → version label it keeps. */
  rerun?: Record<string, string>;
}

interface BuildRecord {
  id: BuildId;
  name: string;
  jobId: JobId;
  status: BuildStatus;
  inputs: Array<{ name: string; resourceId: ResourceId; versionId: VersionId }>;
  outputs: Array<{ resourceId: ResourceId; versionId: VersionId }>;
  manual: boolean;
  rerunInputs: ChosenInput[] | null;
  rerunOf: BuildId | null;
}

const PIPELINE_ID = 1;
const PIPELINE_NAME = 'main';

/**
 * A VersionHistory over plain arrays and maps, answering the queries the way the store must.
 * Indexes are built once, after the scenario's builds are recorded.
 */
class InMemoryHistory implements VersionHistory {
  readonly versionsByResource = new Map<ResourceId, VersionId[]>();
  readonly fields = new Map<VersionId, VersionFields>();
  readonly disabled = new Set<VersionId>();
  readonly gone = new Set<VersionId>();
  readonly pins = new Map<ResourceId, VersionId>();
  readonly builds: BuildRecord[] = [];
  /** `jobId/resourceId` of jobs that passed versions of the resource's earlier source. */
  readonly earlierHistory = new Set<string>();
  private readonly passedBuildsIndex = new Map<string, BuildId[]>();
  private readonly passedVersionsIndex = new Map<string, VersionId[]>();
  private readonly usedIndex = new Map<string, Set<VersionId>>();

  /** Call once every build is recorded. */
  index(): void {
    for (const build of this.builds) {
      for (const input of build.inputs) {
        const key = `${build.jobId}/${input.name}`;
        this.usedIndex.set(key, (this.usedIndex.get(key) ?? new Set()).add(input.versionId));
      }
      if (build.status !== 'succeeded') continue;
      for (const { resourceId, versionId } of [...build.inputs, ...build.outputs]) {
        const key = `${build.jobId}/${resourceId}/${versionId}`;
        const builds = this.passedBuildsIndex.get(key) ?? [];
        if (!builds.includes(build.id)) this.passedBuildsIndex.set(key, [...builds, build.id]);
        const versionsKey = `${build.jobId}/${resourceId}`;
        const versions = this.passedVersionsIndex.get(versionsKey) ?? [];
        if (!versions.includes(versionId)) this.passedVersionsIndex.set(versionsKey, [...versions, versionId].sort((a, b) => b - a));
      }
    }
  }

  versionsNewestFirst(resourceId: ResourceId): readonly VersionId[] {
    return this.versionsByResource.get(resourceId) ?? [];
  }
  checkOrder(versionId: VersionId): number {
    return versionId;
  }
  describeVersion(versionId: VersionId): VersionFields {
    return this.fields.get(versionId) ?? {};
  }
  isDisabled(_resourceId: ResourceId, versionId: VersionId): boolean {
    return this.disabled.has(versionId);
  }
  isGone(versionId: VersionId): boolean {
    return this.gone.has(versionId);
  }
  pinnedVersion(resourceId: ResourceId): VersionId | undefined {
    return this.pins.get(resourceId);
  }
  passedVersionsNewestFirst(jobId: JobId, resourceId: ResourceId): readonly VersionId[] {
    return this.passedVersionsIndex.get(`${jobId}/${resourceId}`) ?? [];
  }
  passedEarlierHistory(jobId: JobId, resourceId: ResourceId): boolean {
    return this.earlierHistory.has(`${jobId}/${resourceId}`);
  }
  passedBuilds(jobId: JobId, resourceId: ResourceId, versionId: VersionId): readonly BuildId[] {
    return this.passedBuildsIndex.get(`${jobId}/${resourceId}/${versionId}`) ?? [];
  }
  usedAsInput(jobId: JobId, inputName: string, versionId: VersionId): boolean {
    return this.usedIndex.get(`${jobId}/${inputName}`)?.has(versionId) === true;
  }
  latestUsedAsInput(jobId: JobId, inputName: string): VersionId | undefined {
    const used = this.usedIndex.get(`${jobId}/${inputName}`);
    return used === undefined ? undefined : Math.max(...used);
  }
}

/** A built scenario: the snapshot, and translations between ids and the table's names. */
export class Scenario {
  readonly snapshot: SchedulingSnapshot;
  private readonly history = new InMemoryHistory();
  private readonly resourceIds = new Map<string, ResourceId>();
  private readonly jobIds = new Map<string, JobId>();
  private readonly jobNames = new Map<JobId, string>();
  private readonly labels = new Map<VersionId, string>();
  private readonly versionIds = new Map<string, VersionId>();
  private readonly buildNames = new Map<BuildId, string>();

  constructor(readonly spec: ScenarioSpec) {
    let nextVersionId = 1;
    Object.entries(spec.resources).forEach(([name, labels], index) => {
      const resourceId = 100 + index;
      this.resourceIds.set(name, resourceId);
      const ids = labels.map((label) => {
        const id = nextVersionId++;
        this.labels.set(id, label);
        this.versionIds.set(`${name}/${label}`, id);
        this.history.fields.set(id, { ref: label });
        return id;
      });
      this.history.versionsByResource.set(resourceId, ids.reverse());
    });
    Object.keys(spec.jobs).forEach((name, index) => {
      this.jobIds.set(name, 10 + index);
      this.jobNames.set(10 + index, name);
    });
    for (const [resource, labels] of Object.entries(spec.disabled ?? {})) for (const label of labels) this.history.disabled.add(this.version(resource, label));
    for (const [resource, labels] of Object.entries(spec.gone ?? {})) for (const label of labels) this.history.gone.add(this.version(resource, label));
    for (const [resource, label] of Object.entries(spec.pins ?? {})) this.history.pins.set(this.resource(resource), this.version(resource, label));
    for (const [job, resources] of Object.entries(spec.passedBeforeSourceChange ?? {})) {
      for (const resource of resources) this.history.earlierHistory.add(`${this.job(job)}/${this.resource(resource)}`);
    }
    this.recordBuilds(spec.builds ?? []);
    this.history.index();

    const requested = spec.requested ?? Object.keys(spec.jobs);
    const running = (spec.builds ?? []).filter((build) => build.status === 'started').length;
    this.snapshot = {
      jobs: requested.map((name) => this.schedulableJob(name)),
      serialGroups: this.serialGroups(),
      history: this.history,
      ...(spec.maxRunningBuilds !== undefined && { buildSlots: { running, limit: spec.maxRunningBuilds } }),
    };
  }

  decide(): SchedulingDecisions {
    return decideNextBuilds(this.snapshot);
  }

  resource(name: string): ResourceId {
    const id = this.resourceIds.get(name);
    if (id === undefined) throw new Error(`scenario has no resource ${name}`);
    return id;
  }

  job(name: string): JobId {
    const id = this.jobIds.get(name);
    if (id === undefined) throw new Error(`scenario has no job ${name}`);
    return id;
  }

  version(resource: string, label: string): VersionId {
    const id = this.versionIds.get(`${resource}/${label}`);
    if (id === undefined) throw new Error(`scenario has no version ${label} of ${resource}`);
    return id;
  }

  label(versionId: VersionId | null): string | null {
    return versionId === null ? null : (this.labels.get(versionId) ?? `?${versionId}`);
  }

  /** `input=label` pairs in config order, e.g. `repo=c2 lib=l1`. */
  describeInputs(inputs: readonly ChosenInput[]): string {
    return inputs.map((i) => `${i.name}=${this.label(i.versionId)}`).join(' ');
  }

  /**
   * The builds a pass starts or creates, one line each: `start unit#2 repo=c2` for a pending
   * build, `run unit repo=c2` for a new build started at once, `queue unit` for a new pending one.
   */
  buildLines(decisions: SchedulingDecisions): string[] {
    const started = decisions.startBuilds.map((s) => `start ${this.jobNames.get(s.jobId)}#${this.buildNames.get(s.buildId)} ${this.describeInputs(s.inputs)}`.trimEnd());
    const created = decisions.createBuilds.map((c) => (c.start === null ? `queue ${this.jobNames.get(c.jobId)}` : `run ${this.jobNames.get(c.jobId)} ${this.describeInputs(c.start.inputs)}`.trimEnd()));
    return [...started, ...created];
  }

  explanation(decisions: SchedulingDecisions, job: string): JobExplanation {
    const decision = decisions.jobs.find((d) => d.jobId === this.job(job));
    if (decision?.explanation === undefined) throw new Error(`job ${job} was not requested, or the pass explained nothing`);
    return decision.explanation;
  }

  nextInputs(decisions: SchedulingDecisions, job: string): string | null {
    const next = decisions.jobs.find((d) => d.jobId === this.job(job))?.nextInputs;
    return next === null || next === undefined ? null : this.describeInputs(next);
  }

  /** Reason codes of the job's explanation: blockers, then each input's reasons in config order. */
  reasonCodes(decisions: SchedulingDecisions, job: string): string[] {
    const explanation = this.explanation(decisions, job);
    return [...explanation.blockers.map((b) => b.code), ...explanation.inputs.flatMap((i) => i.reasons.map((r) => r.code))];
  }

  /** Reason codes of the job's inputs only, in config order. */
  inputReasonCodes(decisions: SchedulingDecisions, job: string): string[] {
    return this.explanation(decisions, job).inputs.flatMap((i) => i.reasons.map((r) => r.code));
  }

  /** Names of the next inputs whose version no build of the job used yet. */
  firstOccurrences(decisions: SchedulingDecisions, job: string): string[] {
    const next = decisions.jobs.find((d) => d.jobId === this.job(job))?.nextInputs ?? [];
    return next.filter((i) => i.firstOccurrence).map((i) => i.name);
  }

  /** Candidates of one input as `label:code,code` (`label:ok` when accepted, `label:-` when merely not chosen). */
  candidateLines(decisions: SchedulingDecisions, job: string, input: string): string[] {
    const explained = this.explanation(decisions, job).inputs.find((i) => i.name === input);
    if (explained === undefined) throw new Error(`job ${job} has no input ${input}`);
    return explained.candidates.map((c) => `${this.label(c.versionId)}:${c.accepted ? 'ok' : c.rejections.map((r) => r.code).join(',') || '-'}`);
  }

  private recordBuilds(builds: BuildSpec[]): void {
    const numberByJob = new Map<JobId, number>();
    builds.forEach((spec, index) => {
      const jobId = this.job(spec.job);
      const jobSpec = this.spec.jobs[spec.job] as JobSpec;
      const number = (numberByJob.get(jobId) ?? 0) + 1;
      numberByJob.set(jobId, number);
      const inputsOf = (labels: Record<string, string>): Array<{ name: string; resourceId: ResourceId; versionId: VersionId }> =>
        Object.entries(labels).map(([name, label]) => {
          const get = jobSpec.inputs.find((g) => g.get === name);
          if (get === undefined) throw new Error(`job ${spec.job} has no input ${name}`);
          const resource = get.resource ?? get.get;
          return { name, resourceId: this.resource(resource), versionId: this.version(resource, label) };
        });
      const record: BuildRecord = {
        id: index + 1,
        name: spec.name ?? String(number),
        jobId,
        status: spec.status,
        inputs: inputsOf(spec.inputs ?? {}),
        outputs: Object.entries(spec.outputs ?? {}).map(([resource, label]) => ({ resourceId: this.resource(resource), versionId: this.version(resource, label) })),
        manual: spec.manual === true,
        rerunInputs: spec.rerun === undefined ? null : inputsOf(spec.rerun).map((i) => ({ ...i, firstOccurrence: false })),
        rerunOf: spec.rerun === undefined ? null : this.rerunOriginal(jobId, spec),
      };
      this.buildNames.set(record.id, record.name);
      this.history.builds.push(record);
    });
  }

  private rerunOriginal(jobId: JobId, spec: BuildSpec): BuildId {
    const originalName = spec.name?.split('.')[0];
    const original = this.history.builds.find((b) => b.jobId === jobId && b.name === originalName);
    if (original === undefined) throw new Error(`rerun ${spec.name ?? '(unnamed)'} of ${spec.job} must be named N.M after an earlier build N of the job`);
    return original.id;
  }

  private schedulableJob(name: string): SchedulableJob {
    const spec = this.spec.jobs[name];
    if (spec === undefined) throw new Error(`scenario has no job ${name}`);
    const id = this.job(name);
    const builds = this.history.builds.filter((b) => b.jobId === id);
    const serialGroups = spec.serialGroups ?? [];
    return {
      id,
      name,
      pipelineId: PIPELINE_ID,
      pipelineName: PIPELINE_NAME,
      inputs: spec.inputs.map((get) => this.jobInput(get)),
      paused: spec.paused === true,
      pipelinePaused: this.spec.pipelinePaused === true,
      pipelineRetiring: false,
      // As Concourse's JobConfig.MaxInFlight(): serial or serial groups mean one at a time.
      maxInFlight: spec.serial === true || serialGroups.length > 0 ? 1 : (spec.maxInFlight ?? null),
      serialGroups,
      pendingBuilds: builds
        .filter((b) => b.status === 'pending')
        .sort(compareQueuePlace)
        .map((b): PendingBuild => ({ id: b.id, name: b.name, manuallyTriggered: b.manual, rerunInputs: b.rerunInputs })),
      runningBuildCount: builds.filter((b) => b.status === 'started').length,
    };
  }

  private jobInput(get: GetSpec): JobInput {
    const resourceName = get.resource ?? get.get;
    const resourceId = this.resource(resourceName);
    const passed = (get.passed ?? []).map((jobName) => ({ jobId: this.job(jobName), jobName }));
    const version = get.version;
    if (version === undefined || version === 'latest') return { name: get.get, resourceId, resourceName, passed, version: { kind: 'latest' }, trigger: get.trigger === true };
    if (version === 'every') return { name: get.get, resourceId, resourceName, passed, version: { kind: 'every' }, trigger: get.trigger === true };
    const matching = this.history
      .versionsNewestFirst(resourceId)
      .find((v) => Object.entries(version).every(([key, value]) => this.history.describeVersion(v)[key] === value));
    return { name: get.get, resourceId, resourceName, passed, version: { kind: 'pinned', fields: version, versionId: matching ?? null }, trigger: get.trigger === true };
  }

  private serialGroups(): Map<string, SerialGroupState> {
    const groups = new Map<string, SerialGroupState>();
    for (const [jobName, spec] of Object.entries(this.spec.jobs)) {
      const jobId = this.job(jobName);
      for (const group of spec.serialGroups ?? []) {
        const key = serialGroupKey(PIPELINE_ID, group);
        const state = groups.get(key) ?? { pipelineId: PIPELINE_ID, name: group, runningBuildCount: 0, pendingBuildIds: [] };
        const builds = this.history.builds.filter((b) => b.jobId === jobId);
        const pending = [...state.pendingBuildIds, ...builds.filter((b) => b.status === 'pending').map((b) => b.id)]
          .map((id) => this.history.builds.find((b) => b.id === id) as BuildRecord)
          .sort(compareQueuePlace);
        groups.set(key, {
          ...state,
          runningBuildCount: state.runningBuildCount + builds.filter((b) => b.status === 'started').length,
          pendingBuildIds: pending.map((b) => b.id),
        });
      }
    }
    return groups;
  }
}

export function scenario(spec: ScenarioSpec): Scenario {
  return new Scenario(spec);
}
