import type { ImageConfig } from './sandbox/image-directory.js';

/**
 * What the runner asks of an executor: run one task to its end. The runner has already
 * resolved the task's config, its artifacts and its environment; the executor only places
 * directories, starts the process and reports its output.
 */

export interface TaskInputMount {
  /** The input's name in the task config. */
  name: string;
  /**
   * Where the task sees it, relative to the working directory (`path`, default `name`); `.` is
   * the working directory itself, and one input may sit inside another's path.
   */
  path: string;
  /** The artifact's directory; the executor must not let the task change it. */
  source: string;
}

export interface TaskOutputMount {
  name: string;
  /** Relative to the working directory. At an input's path, the output is the task's changed copy of that input. */
  path: string;
}

export interface TaskCacheMount {
  /** Relative to the working directory. */
  path: string;
  /** A directory kept between builds of the same job and task; it may not exist yet. */
  store: string;
}

/** An image ready to run a task in: a root filesystem on this host (never written) and its settings. */
export interface TaskImage {
  rootfs: string;
  config: ImageConfig;
  /** Names the image in the build log and in errors, e.g. `registry-image example/go@sha256:…`. */
  name: string;
  /** Its key in the image cache, when it comes from there: `weir intercept` leases it again by key. */
  cacheKey?: string;
}

/**
 * A volume mounted into the task at `path` (relative to the working directory). `claim` is what
 * the executor mounts: a PersistentVolumeClaim's name for a cluster, an absolute directory
 * (already confined to the operator's local path roots) on this host.
 */
export interface TaskClaimMount {
  claim: string;
  path: string;
  readOnly: boolean;
}

/** The build a task belongs to, for an executor that labels what it starts (pods). */
export interface TaskOwner {
  team: string;
  pipeline?: string;
  job?: string;
  buildId: number;
  buildName: string;
  step: string;
}

/** `container_limits` as the task step gives it (step over config). */
export interface TaskContainerLimits {
  /** CPU shares; 0 means none. */
  cpu?: number;
  /** Bytes, or a size such as `512MB`; 0 means none. */
  memory?: number | string;
}

export interface TaskRun {
  /** A fresh, empty directory owned by this run; the task's inputs and outputs go inside it. */
  workDir: string;
  inputs: TaskInputMount[];
  outputs: TaskOutputMount[];
  caches: TaskCacheMount[];
  /**
   * `path` is a bare name looked up in `env.PATH`, or a path (with a `/`) taken from `dir`;
   * `dir` is relative to `workDir`; `user` is only honoured where tasks run in containers.
   */
  run: { path: string; args: string[]; dir?: string; user?: string };
  /** The whole environment the process sees. */
  env: Record<string, string>;
  /**
   * The image to run in. An executor that runs tasks in containers needs one; the host
   * executor is only given tasks without one.
   */
  image?: TaskImage;
  /**
   * The image in its registry by digest (`registry.example/team/go@sha256:…`), for an executor
   * whose nodes pull images themselves (a cluster): given instead of `image`, nothing is fetched here.
   */
  imageReference?: string;
  /** `privileged: true`, already allowed by the operator. */
  privileged?: boolean;
  /**
   * `hermetic: true`: the task has no network at all, not even the host's loopback. Only an
   * executor that can enforce it is given such a task (see placeTask).
   */
  hermetic?: boolean;
  containerLimits?: TaskContainerLimits;
  /** Volumes mounted into the task (`claims`), already resolved for this executor; see TaskClaimMount. */
  claims?: readonly TaskClaimMount[];
  /** The step's `tags`: an executor that places tasks (a cluster) maps them through operator config. */
  tags?: readonly string[];
  owner?: TaskOwner;
  /** A line from weir itself for the build log: what the executor could not honour. */
  onNotice?(line: string): void;
  /** Aborting kills the task's whole process group (timeouts and build aborts both do this). */
  signal: AbortSignal;
  /** One line of output (without its newline), in the order printed on each stream. */
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
}

export interface TaskResult {
  exitStatus: number;
  /** Each output's directory by output name; the runner registers them as artifacts. */
  outputs: Record<string, string>;
}

export interface Executor {
  /** A sentence for the build log saying where tasks run (e.g. "on this host, not in a container"). */
  readonly description: string;
  /**
   * Resolves with the exit status when the process exits. Rejects with `signal.reason` once
   * the process group is gone after an abort, and with a WeirError when the task could not
   * start at all (a missing executable, an input that cannot be copied).
   */
  runTask(task: TaskRun): Promise<TaskResult>;
}
