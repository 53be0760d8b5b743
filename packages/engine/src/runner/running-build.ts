import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyResourceType, BuildMetadata, LocalPathPolicy, Version } from '@weir/resources';
import type { Executor } from '../executors/executor.js';
import type { ImageStore } from '../executors/sandbox/image-store.js';
import type { TaskPolicy } from './task/task-placement.js';
import type { Logger } from '../logging.js';
import type { ResourceTypeRegistry } from '../resource-types/registry.js';
import type { BuildInputRecord, BuildOutputRecord, BuildRecord, InstanceVars, PipelineRecord } from '../store/records.js';
import type { SaveResult } from '../store/pipeline-store.js';
import type { Store } from '../store/store.js';
import type { ArtifactScope } from './artifact-scope.js';
import type { BuildEventLog } from './events/build-event-log.js';
import type { LocalVars } from './local-vars.js';
import type { EngineSecrets } from '../secrets/engine-secrets.js';
import type { Redactor } from '../secrets/redactor.js';
import type { SecretVars } from '../secrets/secret-vars.js';

/** What a set_pipeline step asks of the engine. */
export interface PipelineSetRequest {
  name: string;
  instanceVars?: InstanceVars;
  text: string;
  file: string;
  vars: Record<string, unknown>;
  /** The job and build setting it, which become its parent; `keep` for `set_pipeline: self`. */
  parent: { jobId: number; buildId: number; expireAfterMs: number | null } | 'keep';
}

/** The engine's parts a build uses; steps reach them only through here. */
export interface BuildServices {
  store: Store;
  registry: ResourceTypeRegistry;
  /** Runs tasks without an image on this host, where the operator allows it. */
  executor: Executor;
  /** Runs tasks in their images. */
  sandbox: Executor;
  /** Runs tasks as pods, where the operator gave weir a cluster. */
  cluster?: Executor;
  /** Task images (`image_resource`), fetched once per digest and shared with resource types. */
  images(): Promise<ImageStore>;
  tasks: TaskPolicy;
  events: BuildEventLog;
  logger: Logger;
  /** Compiled off the event loop; sets of one pipeline save in the order asked. */
  setPipeline(request: PipelineSetRequest): Promise<SaveResult>;
  /** Per resource history, shared with the checker (a git clone serves both). */
  resourceCacheDir(scopeId: number): string;
  /** Asks the checker to check a resource soon (after a put that scheduled a version). */
  checkSoon(resourceId: number): void;
  /** Credential managers: secrets are looked up as each step uses them. */
  secrets: EngineSecrets;
  /** Task caches, per job. */
  taskCacheRoot: string;
  /** Where pipelines may name paths on this machine. */
  localPaths: LocalPathPolicy;
  externalUrl: string;
  now: () => number;
}

export type PutResult =
  | { resourceId: number; versionId: number; version: Version }
  /** The put scheduled a version (a delay): nothing in the history yet, nothing to get. */
  | { scheduled: Version };

/** One build while it runs: its facts, and what its steps have produced so far. */
export class RunningBuild {
  readonly outputs: BuildOutputRecord[] = [];
  /** Put results by event origin, for the get that follows each put. */
  readonly putResults = new Map<string, PutResult>();
  private dirCount = 0;

  constructor(
    readonly build: BuildRecord,
    readonly pipeline: PipelineRecord,
    readonly jobName: string,
    readonly inputs: ReadonlyMap<string, BuildInputRecord>,
    readonly dir: string,
    readonly redactor: Redactor,
    /** The build's secret references, looked up when a step uses them; found values join `redactor`. */
    readonly secrets: SecretVars,
    readonly services: BuildServices,
  ) {}

  get id(): number {
    return this.build.id;
  }

  get metadata(): BuildMetadata {
    return {
      buildId: this.build.id,
      buildName: this.build.name,
      jobName: this.jobName,
      pipelineName: this.pipeline.name,
      teamName: this.build.team,
      url: this.url,
      externalUrl: this.services.externalUrl,
      ...(Object.keys(this.pipeline.instanceVars).length > 0 && { pipelineInstanceVars: this.pipeline.instanceVars }),
    };
  }

  get url(): string {
    return `${this.services.externalUrl}/builds/${this.build.id}`;
  }

  /** The variables Concourse gives every task, and weir's own. */
  get metadataEnv(): Record<string, string> {
    const env: Record<string, string> = {
      BUILD_ID: String(this.build.id),
      BUILD_NAME: this.build.name,
      BUILD_JOB_NAME: this.jobName,
      BUILD_PIPELINE_NAME: this.pipeline.name,
      BUILD_TEAM_NAME: this.build.team,
      BUILD_URL: this.url,
      ATC_EXTERNAL_URL: this.services.externalUrl,
      WEIR_EXTERNAL_URL: this.services.externalUrl,
      WEIR_BUILD_URL: this.url,
    };
    if (Object.keys(this.pipeline.instanceVars).length > 0) env.BUILD_PIPELINE_INSTANCE_VARS = JSON.stringify(this.pipeline.instanceVars);
    return env;
  }

  /** A new, empty directory for one step's files, removed with the build. */
  async newDir(kind: string, name: string): Promise<string> {
    const dir = join(this.dir, `${++this.dirCount}-${kind}-${name.replace(/[^\w.-]/g, '_')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** A resource type as this build's pipeline sees it: its own `resource_types` first. */
  resourceType(name: string, location: string): AnyResourceType {
    return this.services.registry.forPipeline(this.pipeline.config).require(name, location);
  }
}

/** Where a step runs: its build, its signal, and the artifacts and vars it can see. */
export interface StepScope {
  build: RunningBuild;
  signal: AbortSignal;
  /**
   * Stops only when the engine does: `ensure` and `on_abort` hooks run under it after the
   * build was aborted, as Concourse runs them.
   */
  engineSignal: AbortSignal;
  artifacts: ArtifactScope;
  vars: LocalVars;
  /** Prepended to plan ids in event origins: the across iterations and attempts around the step. */
  prefix: string;
  /** Inside a hook: how the step it follows ended, which a put hands its resource type as the build's status. */
  outcome?: NonNullable<BuildMetadata['status']>;
}
