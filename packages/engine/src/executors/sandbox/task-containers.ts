import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import type { TaskOwner } from '../executor.js';
import type { SandboxMount } from './bubblewrap-args.js';
import { keptBuildsToRemove, type KeptBuild, type KeptContainerRetention } from './kept-container-retention.js';
import type { SandboxStarted } from './sandbox-process.js';

/**
 * Where a task's container gets its root filesystem: the image cache (by key: leased again to
 * enter a container whose task has ended) or an image artifact's `rootfs/` inside the build.
 */
export type ContainerImage = { key: string; rootfs: string } | { rootfs: string };

/** Everything a process needs to see what the task saw: the sandbox's layout, env and user. */
export interface ContainerSpec {
  image: ContainerImage;
  env: Record<string, string>;
  cwd: string;
  mounts: SandboxMount[];
  tmpfs: string[];
  uid: number;
  gid: number;
  network: boolean;
  hostname: string;
  allCapabilities: boolean;
}

/** One task step's container: running (its sandbox is up), or ended with its layout kept on disk. */
export interface TaskContainer {
  /** Unique in its build: the task's directory name, e.g. `3-task-unit`. */
  name: string;
  owner: TaskOwner;
  spec: ContainerSpec;
  /** Present while the task's sandbox runs. */
  sandbox?: SandboxStarted;
  /** For a kept container (its build failed): when it will be removed, ms since the epoch. */
  keptUntil?: number;
}

/** What `TaskContainers.started` hands the executor: it reports the sandbox once up and the task's end. */
export interface ContainerHandle {
  running(sandbox: SandboxStarted): void;
  exited(): void;
}

export interface TaskContainersOptions {
  /** Where kept builds' directories go (`<data dir>/kept-containers`); no sandbox mounts it. */
  root: string;
  retention: KeptContainerRetention;
  logger: Logger;
  now?: () => number;
}

/** The files a container may mount from outside its build: what the sandbox shares with a network-sharing task. */
const HOST_FILES = new Set(['/etc/resolv.conf', '/etc/hosts']);

const MANIFEST_SUFFIX = '.json';

interface KeptEntry extends KeptBuild {
  dir: string;
  containers: TaskContainer[];
}

/** A kept build as written next to its directory: paths inside the build are relative to it. */
interface Manifest {
  buildId: number;
  jobId: number | null;
  endedAt: number;
  containers: TaskContainer[];
}

/**
 * The task containers `weir intercept` can enter: those of running builds (the sandbox of a
 * running task, or the layout of one that has ended, still in the build's directory) and those
 * of failed builds, whose directories are moved under `root` instead of being removed and kept
 * as `retention` says. A kept build survives restarts: a manifest next to its directory says
 * what each container mounted.
 */
export class TaskContainers {
  private readonly live = new Map<number, Map<string, TaskContainer>>();
  private readonly kept = new Map<number, KeptEntry>();
  private readonly now: () => number;

  constructor(private readonly options: TaskContainersOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads the kept builds from disk and removes those past retention or left half-kept by a crash. */
  async load(): Promise<void> {
    const { root, logger } = this.options;
    await mkdir(root, { recursive: true, mode: 0o700 });
    const names = await readdir(root);
    for (const name of names) {
      if (!name.endsWith(MANIFEST_SUFFIX)) continue;
      const dir = join(root, name.slice(0, -MANIFEST_SUFFIX.length));
      try {
        const manifest = JSON.parse(await readFile(join(root, name), 'utf8')) as Manifest;
        if (!Number.isSafeInteger(manifest.buildId) || String(manifest.buildId) !== basename(dir)) throw new Error('the manifest names another build');
        const containers = manifest.containers.map((container) => ({ ...container, spec: fromManifest(container.spec, dir) }));
        this.kept.set(manifest.buildId, { buildId: manifest.buildId, jobId: manifest.jobId, endedAt: manifest.endedAt, dir, containers });
      } catch (error) {
        logger.warn({ err: error, manifest: join(root, name) }, 'a kept container\'s manifest is unreadable; removing it');
        await rm(join(root, name), { force: true });
      }
    }
    // Directories without a manifest: a crash between moving a build here and describing it.
    for (const name of names) {
      if (name.endsWith(MANIFEST_SUFFIX) || this.kept.has(Number(name))) continue;
      await rm(join(root, name), { recursive: true, force: true });
    }
    await this.applyRetention();
  }

  /** Registers a sandboxed task of a build (its working directory is `<build dir>/<name>`). */
  started(owner: TaskOwner, workDir: string, spec: ContainerSpec): ContainerHandle {
    const container: TaskContainer = { name: basename(workDir), owner, spec };
    let containers = this.live.get(owner.buildId);
    if (containers === undefined) this.live.set(owner.buildId, (containers = new Map()));
    containers.set(container.name, container);
    return {
      running: (sandbox) => {
        container.sandbox = sandbox;
      },
      exited: () => {
        delete container.sandbox;
        // Claims were the task's to hold while it ran: another build may have one mounted read-write now.
        const buildDir = dirname(workDir);
        container.spec.mounts = container.spec.mounts.filter((mount) => HOST_FILES.has(mount.source) || isInside(mount.source, buildDir));
        // The image goes back to the cache: a later intercept leases it again by key.
        if ('key' in container.spec.image) container.spec.image = { key: container.spec.image.key, rootfs: '' };
      },
    };
  }

  /**
   * A build has ended: its directory `dir` is kept (moved under `root`) when it failed or errored
   * and ran sandboxed tasks, removed otherwise. The job's older kept build goes either way: as in
   * Concourse, a job's next build replaces its last failed one.
   */
  async buildEnded(build: { buildId: number; jobId: number | null; status: string; dir: string }): Promise<void> {
    const containers = [...(this.live.get(build.buildId)?.values() ?? [])];
    for (const kept of [...this.kept.values()]) {
      if (build.jobId !== null && kept.jobId === build.jobId && kept.buildId < build.buildId) await this.remove(kept.buildId);
    }
    const failed = build.status === 'failed' || build.status === 'errored';
    if (!failed || containers.length === 0 || this.options.retention.maxBuilds === 0) {
      this.live.delete(build.buildId);
      await rm(build.dir, { recursive: true, force: true });
      return;
    }
    const dir = join(this.options.root, String(build.buildId));
    try {
      await mkdir(this.options.root, { recursive: true, mode: 0o700 });
      await rename(build.dir, dir);
      const manifest: Manifest = {
        buildId: build.buildId,
        jobId: build.jobId,
        endedAt: this.now(),
        containers: containers.map((container) => ({ name: container.name, owner: container.owner, spec: toManifest(container.spec, build.dir) })),
      };
      const file = `${dir}${MANIFEST_SUFFIX}`;
      await writeFile(`${file}.tmp`, JSON.stringify(manifest), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      // In one step, so that the containers are always listed once.
      this.kept.set(build.buildId, { ...manifest, dir, containers: manifest.containers.map((container) => ({ ...container, spec: fromManifest(container.spec, dir) })) });
      this.live.delete(build.buildId);
    } catch (error) {
      this.live.delete(build.buildId);
      this.options.logger.warn({ err: error, buildId: build.buildId }, 'could not keep a failed build\'s containers for intercept');
      await rm(build.dir, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
    await this.applyRetention();
  }

  /** Every container that can be entered: running builds' first, then kept ones, newest build first. */
  list(): TaskContainer[] {
    const now = this.now();
    const live = [...this.live.values()].flatMap((containers) => [...containers.values()]);
    const kept = [...this.kept.values()]
      .filter((entry) => now - entry.endedAt <= this.options.retention.maxAgeMs)
      .flatMap((entry) => entry.containers.map((container) => ({ ...container, keptUntil: entry.endedAt + this.options.retention.maxAgeMs })));
    return [...live, ...kept].sort((a, b) => b.owner.buildId - a.owner.buildId);
  }

  /** A build's container by name; the name is only ever compared, never used as a path. */
  find(buildId: number, name: string): TaskContainer | undefined {
    return this.list().find((container) => container.owner.buildId === buildId && container.name === name);
  }

  private async applyRetention(): Promise<void> {
    for (const buildId of keptBuildsToRemove([...this.kept.values()], this.options.retention, this.now())) await this.remove(buildId);
  }

  private async remove(buildId: number): Promise<void> {
    const entry = this.kept.get(buildId);
    if (!entry) return;
    this.kept.delete(buildId);
    await rm(`${entry.dir}${MANIFEST_SUFFIX}`, { force: true });
    await rm(entry.dir, { recursive: true, force: true });
    this.options.logger.debug({ buildId }, 'removed a failed build\'s kept containers');
  }
}

/** Paths inside the build become relative to it; an image from the cache is named by key alone. */
function toManifest(spec: ContainerSpec, buildDir: string): ContainerSpec {
  const inside = (path: string): string => (isInside(path, buildDir) ? relative(buildDir, path) : path);
  return {
    ...spec,
    image: 'key' in spec.image ? { key: spec.image.key, rootfs: '' } : { rootfs: inside(spec.image.rootfs) },
    mounts: spec.mounts.map((mount) => ({ ...mount, source: inside(mount.source) })),
  };
}

/**
 * A manifest's spec made absolute under the kept directory `dir`. Written by weir, but read as
 * untrusted: a relative path must stay inside `dir`, an absolute one must be a host file a
 * sandbox shares anyway, so an edited manifest cannot mount anything else of the host.
 */
function fromManifest(spec: ContainerSpec, dir: string): ContainerSpec {
  const place = (path: string, what: string): string => {
    if (isAbsolute(path)) {
      if (HOST_FILES.has(path)) return path;
      throw new WeirError('kept-container-invalid', `the kept container mounts ${path} from outside its build`, { location: what });
    }
    const full = resolve(dir, path);
    if (full !== dir && !full.startsWith(dir + sep)) throw new WeirError('kept-container-invalid', `the kept container's path ${path} leaves its build`, { location: what });
    return full;
  };
  const image: ContainerImage =
    'key' in spec.image && typeof spec.image.key === 'string' ? { key: spec.image.key, rootfs: '' } : { rootfs: place(spec.image.rootfs, 'rootfs') };
  return { ...spec, image, mounts: spec.mounts.map((mount) => ({ ...mount, source: place(mount.source, mount.target) })) };
}


function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
