import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnyResourceType } from '@weir/resources';
import { createLogger, type Logger } from './logging.js';
import { Checker, type CheckerOptions } from './checker/checker.js';
import type { StaticVars } from './config/vars.js';
import type { JobConfig } from './config/schema/index.js';
import { resolveTriggerVars } from './config/trigger-vars.js';
import { WeirError } from './errors.js';
import { compilePipelineSet, type CompiledPipelineSet, type PipelineSetInput } from './pipelines/compile-pipeline-set.js';
import { PipelineCompiler } from './pipelines/pipeline-compiler.js';
import { checkPipelineRef } from './pipelines/pipeline-name.js';
import { PipelineLifecycle, type RetireOutcome } from './pipelines/pipeline-lifecycle.js';
import { ResourceTypeRegistry } from './resource-types/registry.js';
import { parseBaseTypeMirror } from './resource-types/concourse/base-type-images.js';
import { SandboxScriptRunner } from './resource-types/concourse/sandbox-script-runner.js';
import { StoredTypeImages } from './resource-types/concourse/stored-type-images.js';
import { ClusterScriptRunner } from './resource-types/concourse/cluster-script-runner.js';
import { RegistryTypeImages } from './resource-types/concourse/registry-type-images.js';
import { ImageStore, type ImageStoreOptions } from './executors/sandbox/image-store.js';
import type { ResourceTypeCatalog } from './config/concourse-base-types.js';
import { SchedulingLoop } from './scheduler/scheduling-loop.js';
import { Store } from './store/index.js';
import type { SaveResult } from './store/pipeline-store.js';
import type { InstanceVars } from './store/records.js';
import type { Problem } from './config/problem.js';
import type { Executor } from './executors/executor.js';
import { LocalExecutor } from './executors/local/local-executor.js';
import { startProcessGroupWatchdog } from './executors/local/process-group-watchdog.js';
import { ClaimLocks } from './executors/claim-locks.js';
import { SandboxExecutor } from './executors/sandbox/sandbox-executor.js';
import { DEFAULT_KEPT_CONTAINER_RETENTION, type KeptContainerRetention } from './executors/sandbox/kept-container-retention.js';
import { TaskContainers } from './executors/sandbox/task-containers.js';
import { KubernetesExecutor, type KubernetesExecutorOptions } from './executors/kubernetes/index.js';
import { localPathPolicy } from './local-path-policy.js';
import { BuildRunner } from './runner/build-runner.js';
import { BuildEventLog } from './runner/events/build-event-log.js';
import { BuildLogCollector } from './retention/build-log-collector.js';
import type { EngineLogRetention } from './retention/build-log-retention.js';
import { EngineSecrets } from './secrets/engine-secrets.js';
import type { BuildRecord } from './store/records.js';

export interface EngineOptions {
  /** The data directory (default `./.weir`), or `:memory:` for tests. */
  dataDir: string;
  resourceTypes: Iterable<AnyResourceType>;
  logger?: Logger;
  checker?: Pick<CheckerOptions, 'concurrency' | 'tickMs' | 'defaultIntervalMs' | 'random'>;
  /**
   * fsync the database at every commit, so what was committed survives a power loss as well as
   * a crash (`weir up --sync-every-commit`); by default a crash or kill loses nothing committed,
   * a power loss may lose the last commits.
   */
  syncEveryCommit?: boolean;
  /**
   * The engine's default and maximum build log retention for every job (`weir up
   * --default-build-logs-to-retain` and the like); by default jobs keep every log unless they say.
   */
  buildLogRetention?: EngineLogRetention;
  /** The most requested jobs one scheduling pass decides for (default 500). */
  schedulerMaxJobsPerPass?: number;
  /** How long one scheduling pass may hold the event loop; later passes take fewer jobs (default 25 ms). */
  schedulerPassTargetMs?: number;
  schedulerFallbackIntervalMs?: number;
  now?: () => number;
  /** Runs tasks without an image, where allowed; by default as processes on this host. */
  executor?: Executor;
  /**
   * Most builds running at once across the engine (default `DEFAULT_MAX_RUNNING_BUILDS`); the
   * rest wait `pending`, saying so, and start oldest first as running ones end.
   */
  maxRunningBuilds?: number;
  /** Most tasks running at once, on the host and in sandboxes each. */
  maxConcurrentTasks?: number;
  /**
   * Tasks without an image run on this host, unsandboxed (default true for an embedded engine;
   * `weir up` refuses them unless started with --allow-host-tasks).
   */
  allowHostTasks?: boolean;
  /** Sandboxed tasks share the host's network (default true, as in Concourse); false cuts them off. */
  taskNetwork?: boolean;
  /** The URL users reach the engine at, for build links (`ATC_EXTERNAL_URL`). */
  externalUrl?: string;
  /**
   * Directories under which pipelines may name paths on this machine (volume-snapshot `path`,
   * `store`, restore `to`); default: the working directory and the temporary directory.
   */
  localPathRoots?: readonly string[];
  /** How long a secret read from Vault or Kubernetes is reused, in ms (default 60 s). */
  secretCacheTtlMs?: number;
  /**
   * How long failed builds' task containers are kept for `weir intercept` (`<data dir>/kept-containers`);
   * default DEFAULT_KEPT_CONTAINER_RETENTION.
   */
  keptContainers?: KeptContainerRetention;
  /** Most bytes the image cache (`<data dir>/images`) keeps of images no task holds (default 10 GiB). */
  imageCacheBytes?: number;
  /**
   * Whether `privileged: true` (a resource type's, a task's) is honoured: every capability of
   * its user namespace. Off by default: a pipeline is untrusted input.
   */
  allowPrivileged?: boolean;
  /**
   * A registry mirroring Docker Hub's `concourse/*-resource` repositories, from which the
   * Concourse base types weir has no built-in for are fetched (`weir up --resource-type-mirror`).
   */
  resourceTypeMirror?: string;
  /**
   * A cluster to run tasks with an image on, as pods: for every such task (`default`), or for
   * tasks with one of `tags` (`weir up --task-executor`, `--kubernetes-*`).
   */
  kubernetes?: Omit<KubernetesExecutorOptions, 'logger' | 'allowPrivileged'> & { default?: boolean };
}

/**
 * Enough for a busy team's pipelines, few enough that a pipeline starting thousands of builds
 * at once (every job of a generated pipeline triggered) cannot exhaust the engine's memory.
 */
export const DEFAULT_MAX_RUNNING_BUILDS = 100;

/** Room for a few dozen ordinary images. */
export const DEFAULT_IMAGE_CACHE_BYTES = 10 * 1024 ** 3;

export interface SetPipelineRequest {
  name: string;
  team?: string;
  instanceVars?: InstanceVars;
  text: string;
  /** Shown in errors. */
  file?: string;
  vars?: StaticVars;
  /** The config version the caller last read; the set fails if it changed since. */
  expectedConfigVersion?: number;
  pausedIfNew?: boolean;
  /**
   * The `set_pipeline` step's job and build, which become the pipeline's parent; null or absent
   * for a pipeline set by hand (it has none), `keep` for `set_pipeline: self`.
   */
  parent?: { jobId: number; buildId: number; expireAfterMs: number | null } | null | 'keep';
}

/** The checker, the scheduler, the runner and their store, as one engine on one data directory. */
export class Engine {
  readonly dataDir: string;
  readonly store: Store;
  readonly events: BuildEventLog;
  readonly runner: BuildRunner;
  readonly registry: ResourceTypeRegistry;
  readonly checker: Checker;
  readonly lifecycle: PipelineLifecycle;
  readonly buildLogCollector: BuildLogCollector;
  readonly scheduler: SchedulingLoop;
  readonly logger: Logger;
  /** Runs tasks in their images; `sandbox.unavailable()` says whether this host can. */
  readonly sandbox: SandboxExecutor;
  readonly secrets: EngineSecrets;
  /** Runs tasks as pods, when the operator gave a cluster. */
  readonly cluster: KubernetesExecutor | undefined;
  /** Task containers `weir intercept` can enter: running tasks', and failed builds' kept for a while. */
  readonly containers: TaskContainers;
  private readonly scratchDir: string | undefined;
  private openingImageStore: Promise<ImageStore> | undefined;
  private readonly imageStoreOptions: ImageStoreOptions;
  private readonly resourceTypeCatalog: ResourceTypeCatalog;
  private readonly pipelineCompiler: PipelineCompiler;
  private started = false;
  private stopping = false;

  private constructor(options: EngineOptions) {
    // Checked before the data directory is opened and locked.
    const maxRunningBuilds = checkedMaxRunningBuilds(options.maxRunningBuilds);
    this.logger = options.logger ?? createLogger();
    const mirror = options.resourceTypeMirror === undefined || options.resourceTypeMirror === '' ? undefined : parseBaseTypeMirror(options.resourceTypeMirror);
    const runnerLogger = this.logger.child({ component: 'runner' });
    this.cluster = options.kubernetes && new KubernetesExecutor({ ...options.kubernetes, allowPrivileged: options.allowPrivileged ?? false, logger: runnerLogger });
    // Declared types' scripts run where tasks with an image run by default: pods on the cluster, or the sandbox here.
    const scripts =
      this.cluster && options.kubernetes?.default
        ? { runner: new ClusterScriptRunner(this.cluster), images: new RegistryTypeImages({ ...(options.now && { now: options.now }) }) }
        : {
            runner: new SandboxScriptRunner({ allowPrivileged: options.allowPrivileged ?? false, logger: this.logger.child({ component: 'resource-scripts' }) }),
            images: new StoredTypeImages({ store: () => this.imageStore(), ...(options.now && { now: options.now }) }),
          };
    this.registry = new ResourceTypeRegistry(options.resourceTypes, { ...scripts, ...(mirror && { mirror }) });
    this.resourceTypeCatalog = this.registry.catalog();
    this.pipelineCompiler = new PipelineCompiler(this.logger.child({ component: 'pipeline-compiler' }));
    this.store = Store.open({ dataDir: options.dataDir, ...(options.now && { now: options.now }), ...(options.syncEveryCommit !== undefined && { syncEveryCommit: options.syncEveryCommit }) });
    this.dataDir = options.dataDir === ':memory:' ? ':memory:' : resolve(options.dataDir);
    // An in-memory engine still needs directories for builds and caches: its own, removed at stop.
    this.scratchDir = this.dataDir === ':memory:' ? mkdtempSync(join(tmpdir(), 'weir-engine-')) : undefined;
    const workRoot = this.scratchDir ?? this.dataDir;
    this.imageStoreOptions = { root: join(workRoot, 'images'), maxBytes: options.imageCacheBytes ?? DEFAULT_IMAGE_CACHE_BYTES, logger: this.logger.child({ component: 'images' }) };
    const cacheDir = join(workRoot, 'cache');
    const localPaths = localPathPolicy(options.localPathRoots, [workRoot]);
    this.secrets = new EngineSecrets({
      store: this.store,
      dataDir: this.dataDir === ':memory:' ? null : this.dataDir,
      ...(options.secretCacheTtlMs !== undefined && { cacheTtlMs: options.secretCacheTtlMs }),
      now: options.now ?? Date.now,
    });
    this.logger.info({ roots: localPaths.roots }, 'pipelines may name local paths under these directories');
    this.checker = new Checker({
      store: this.store,
      registry: this.registry,
      logger: this.logger.child({ component: 'checker' }),
      cacheDir,
      localPaths,
      secrets: this.secrets,
      ...options.checker,
      ...(options.now && { now: options.now }),
      scheduleNow: () => this.scheduler.runRequestedNow(),
    });
    this.scheduler = new SchedulingLoop({
      store: this.store,
      logger: this.logger.child({ component: 'scheduler' }),
      ...(options.schedulerFallbackIntervalMs !== undefined && { fallbackIntervalMs: options.schedulerFallbackIntervalMs }),
      ...(options.schedulerMaxJobsPerPass !== undefined && { maxJobsPerPass: options.schedulerMaxJobsPerPass }),
      ...(options.schedulerPassTargetMs !== undefined && { passTargetMs: options.schedulerPassTargetMs }),
      maxRunningBuilds,
    });
    this.events = new BuildEventLog({
      store: this.store.buildEvents,
      isFinished: (buildId) => {
        const status = this.store.builds.byId(buildId)?.status;
        return status !== 'pending' && status !== 'started';
      },
      logger: this.logger.child({ component: 'events' }),
      ...(options.now && { now: options.now }),
    });
    // A claim directory is one lock whichever executor on this host mounts it.
    const claimLocks = new ClaimLocks();
    this.containers = new TaskContainers({
      root: join(workRoot, 'kept-containers'),
      retention: options.keptContainers ?? DEFAULT_KEPT_CONTAINER_RETENTION,
      logger: this.logger.child({ component: 'containers' }),
      ...(options.now && { now: options.now }),
    });
    this.sandbox = new SandboxExecutor({
      logger: runnerLogger,
      claimLocks,
      containers: this.containers,
      ...(options.taskNetwork !== undefined && { network: options.taskNetwork }),
      ...(options.maxConcurrentTasks !== undefined && { maxConcurrentTasks: options.maxConcurrentTasks }),
    });
    this.runner = new BuildRunner({
      store: this.store,
      registry: this.registry,
      executor: options.executor ?? new LocalExecutor({ logger: runnerLogger, claimLocks, ...(options.maxConcurrentTasks !== undefined && { maxConcurrentTasks: options.maxConcurrentTasks }) }),
      sandbox: this.sandbox,
      ...(this.cluster && { cluster: this.cluster }),
      images: () => this.imageStore(),
      tasks: {
        allowHostTasks: options.allowHostTasks ?? true,
        allowPrivileged: options.allowPrivileged ?? false,
        imageTasks: options.kubernetes?.default ? 'kubernetes' : 'sandbox',
        clusterTags: Object.keys(options.kubernetes?.tags ?? {}),
      },
      events: this.events,
      logger: runnerLogger,
      setPipeline: (request) => this.setPipelineAsync(request),
      resourceCacheDir: (scopeId) => join(cacheDir, String(scopeId)),
      checkSoon: (resourceId) => {
        this.checker.checkResource(resourceId).catch((error: unknown) => this.logger.warn({ err: error, resourceId }, 'checking a resource after a put failed'));
      },
      secrets: this.secrets,
      taskCacheRoot: join(workRoot, 'task-caches'),
      localPaths,
      buildsDir: join(workRoot, 'builds'),
      containers: this.containers,
      externalUrl: options.externalUrl ?? 'http://127.0.0.1:8080',
      now: options.now ?? Date.now,
    });
    this.buildLogCollector = new BuildLogCollector({
      store: this.store,
      logger: this.logger.child({ component: 'build-log-collector' }),
      ...(options.buildLogRetention && { defaults: options.buildLogRetention }),
      ...(options.now && { now: options.now }),
    });
    this.lifecycle = new PipelineLifecycle({
      store: this.store,
      runner: this.runner,
      logger: this.logger.child({ component: 'lifecycle' }),
      ...(options.now && { now: options.now }),
    });
    for (const fix of this.store.permissionFixes) {
      this.logger.warn(fix, 'other users could read this path in the data directory; it is now private to weir\'s user');
    }
    const interrupted = this.runner.settleInterrupted();
    if (interrupted > 0) this.logger.warn({ builds: interrupted }, 'builds that were running when the engine stopped are marked errored');
  }

  /**
   * The one image cache of this engine (`<data dir>/images`), for tasks' and resource types'
   * images alike, opened on first use: opening it removes what a crash left half-fetched.
   */
  imageStore(): Promise<ImageStore> {
    this.openingImageStore ??= ImageStore.open(this.imageStoreOptions).catch((error: unknown) => {
      // A disk that was full a minute ago may not be now: the next use tries again.
      this.openingImageStore = undefined;
      throw error;
    });
    return this.openingImageStore;
  }

  /** Opens the data directory; fails if another engine holds it. */
  static open(options: EngineOptions): Engine {
    return new Engine(options);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    startProcessGroupWatchdog();
    // Opening the image store removes what a crash left half-fetched: do it now, not at first use.
    this.imageStore().catch((error: unknown) => this.logger.error({ err: error }, 'the image cache could not be opened; tasks with an image will error'));
    // Removes the kept containers past their time, or left half-kept by a crash.
    this.containers.load().catch((error: unknown) => this.logger.error({ err: error }, 'the kept task containers could not be read; weir intercept sees only running tasks'));
    this.cluster?.start();
    // Requests are durable, but a pass may have been cut short; look at every job once.
    this.store.jobs.requestAll();
    this.runner.start();
    this.scheduler.start();
    this.checker.start();
    this.lifecycle.start();
    this.buildLogCollector.start();
  }

  /** Stops the loops; running builds end `errored` (their processes are killed) before the store closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.scheduler.stop();
    this.lifecycle.stop();
    await Promise.all([this.pipelineCompiler.stop(), this.runner.stop(), this.checker.stop(), this.buildLogCollector.stop()]);
    this.events.flush();
    this.store.close();
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }

  /**
   * Archives a pipeline; one with a `teardown_job` runs it first and is archived when it
   * succeeds. `skipTeardown` archives at once, for a teardown that cannot succeed.
   */
  archivePipeline(pipelineId: number, options: { skipTeardown?: boolean } = {}): RetireOutcome {
    if (options.skipTeardown) {
      this.store.pipelines.archiveFor(pipelineId, 'archived by hand, without its teardown');
      return { archived: true };
    }
    return this.lifecycle.retire(pipelineId, 'archived by hand');
  }

  /** Deletes a pipeline and its history; its running builds are aborted and end first. */
  async destroyPipeline(pipelineId: number): Promise<void> {
    await this.runner.abortPipelineBuilds(pipelineId);
    this.store.pipelines.destroy(pipelineId);
  }

  /**
   * A manual build of a job: pending until its inputs resolve and a slot is free. Its inputs
   * are checked at once, as Concourse does, so a job whose resources were never checked
   * does not wait for their first periodic check.
   */
  triggerJob(jobId: number, vars: Readonly<Record<string, string>> = {}): BuildRecord {
    const job = this.store.jobs.byId(jobId);
    const config = (job?.config ?? {}) as Pick<JobConfig, 'trigger_vars' | 'disable_manual_trigger'>;
    if (job && config.disable_manual_trigger === true) {
      throw new WeirError('manual-trigger-disabled', `job ${job.name} cannot be started by hand: its config sets disable_manual_trigger`, {
        hint: 'it runs when its trigger inputs change; remove disable_manual_trigger from the job to start it by hand',
      });
    }
    const triggerVars = job && (config.trigger_vars !== undefined || Object.keys(vars).length > 0) ? resolveTriggerVars(config.trigger_vars, vars, job.name) : null;
    const build = this.store.builds.createManual(jobId, triggerVars);
    for (const resourceId of this.store.jobs.inputResourceIds(jobId)) {
      this.checker.checkResource(resourceId).catch((error: unknown) => this.logger.warn({ err: error, resourceId }, 'checking an input of a triggered job failed'));
    }
    return build;
  }

  /** A new build of the same job with the original build's input versions. */
  rerunBuild(buildId: number): BuildRecord {
    const original = this.store.builds.byId(buildId);
    const job = original?.jobId == null ? undefined : this.store.jobs.byId(original.jobId);
    if (job && (job.config as Pick<JobConfig, 'disable_reruns'>).disable_reruns === true) {
      throw new WeirError('reruns-disabled', `builds of job ${job.name} cannot be rerun: its config sets disable_reruns`, {
        hint: 'trigger a new build instead, or remove disable_reruns from the job',
      });
    }
    return this.store.builds.createRerun(buildId);
  }

  abortBuild(buildId: number): BuildRecord {
    this.runner.abort(buildId);
    return this.store.builds.byId(buildId)!;
  }

  /**
   * Validates and saves a pipeline; resources are checked and jobs scheduled from then on. It
   * compiles on the calling thread: a pipeline of 2,000 jobs holds the event loop a few hundred
   * ms, and it saves at once, ahead of sets of the same pipeline still compiling in the worker.
   * For embedding and tests; the API and the set_pipeline step use `setPipelineAsync`.
   */
  setPipeline(request: SetPipelineRequest): SaveResult & { warnings: Problem[] } {
    return this.savePipeline(compilePipelineSet(this.pipelineSetInput(request)));
  }

  /**
   * As `setPipeline`, with a large text read and validated on the pipeline compiler's worker
   * thread (a small one inline, in a few ms): only the save, one transaction, runs on the event
   * loop. The compiler answers in the order it
   * was asked and each answer is saved as it comes, so concurrent sets of one pipeline save in
   * the order they were asked: the last asked is the one that stays.
   */
  async setPipelineAsync(request: SetPipelineRequest): Promise<SaveResult & { warnings: Problem[] }> {
    return this.savePipeline(await this.pipelineCompiler.compile(this.pipelineSetInput(request)));
  }

  private pipelineSetInput(request: SetPipelineRequest): PipelineSetInput {
    this.refuseWhileStopping();
    checkPipelineRef(request.name, request.instanceVars);
    const file = request.file ?? `${request.name}.yml`;
    // As with `fly set-pipeline -i`, instance vars are also vars of the pipeline, and win.
    const vars = request.vars || request.instanceVars ? { ...request.vars, ...request.instanceVars } : undefined;
    const team = request.team ?? 'main';
    return {
      text: request.text,
      file,
      ...(vars && { vars }),
      storedSecretNames: this.secrets.builtin.list(team, request.name).map((secret) => secret.name),
      resourceTypes: this.resourceTypeCatalog,
      ref: { name: request.name, ...(request.team && { team: request.team }), ...(request.instanceVars && { instanceVars: request.instanceVars }) },
      options: {
        ...(request.expectedConfigVersion !== undefined && { expectedConfigVersion: request.expectedConfigVersion }),
        ...(request.pausedIfNew !== undefined && { pausedIfNew: request.pausedIfNew }),
        ...(request.parent !== 'keep' && { parent: request.parent ?? null }),
      },
    };
  }

  private savePipeline(compiled: CompiledPipelineSet): SaveResult & { warnings: Problem[] } {
    // A set compiled while the engine stopped finds the store closing.
    this.refuseWhileStopping();
    const saved = this.store.pipelines.save(compiled.save);
    this.logger.info({ pipeline: saved.pipeline.name, configVersion: saved.pipeline.configVersion, created: saved.created }, 'pipeline set');
    return { ...saved, warnings: compiled.warnings };
  }

  private refuseWhileStopping(): void {
    if (this.stopping) throw new WeirError('engine-stopping', 'the engine is stopping; the pipeline was not set', { hint: 'set it again once weir is up' });
  }
}

function checkedMaxRunningBuilds(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_RUNNING_BUILDS;
  if (!Number.isInteger(value) || value < 1) {
    throw new WeirError('max-running-builds-invalid', `the bound on running builds is ${value}; it must be a whole number of at least 1`, {
      location: '--max-running-builds',
      hint: `leave it unset for ${DEFAULT_MAX_RUNNING_BUILDS} builds at once`,
    });
  }
  return value;
}
