import { posix } from 'node:path';
import type { TaskRun } from '../executor.js';
import type { ImageConfig } from './image-directory.js';
import type { SandboxUser } from './image-user.js';
import type { SandboxMount } from './bubblewrap-args.js';

/** What a container runtime puts on PATH when an image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the executor found in the image before laying the task out (paths inside the image). */
export interface ImageFacts {
  /** Directories of the image that the layout may use (the working_dir, the user's home, /var/tmp). */
  directories: ReadonlySet<string>;
  /** Regular files of the image (for /etc/resolv.conf and /etc/hosts). */
  files: ReadonlySet<string>;
}

export interface TaskSandboxLayoutInput {
  task: Pick<TaskRun, 'workDir' | 'run' | 'env' | 'claims'>;
  config: ImageConfig;
  user: SandboxUser;
  facts: ImageFacts;
  network: boolean;
  /** A name for the task's directory under /tmp/build when the image sets no usable working_dir. */
  buildDirName: string;
}

export interface TaskSandboxLayout {
  /** Where the task's working directory (inputs, outputs, caches) is inside the sandbox. */
  workDir: string;
  /** True when the image's files at `workDir` are to be copied under the task's working directory first. */
  copyImageWorkDir: boolean;
  /** Where the program starts: `workDir`, or `run.dir` inside it. */
  cwd: string;
  argv: [string, ...string[]];
  env: Record<string, string>;
  mounts: SandboxMount[];
  tmpfs: string[];
  /** Lines for the build log: what the image asked for that the sandbox does differently. */
  notices: string[];
}

/**
 * Where a task's pieces go in its sandbox. The working directory is the image's `working_dir`
 * when the image has that directory (its files are copied underneath the task's, so a task sees
 * them as it would in the image), else `/tmp/build/<name>` as in Concourse. The root is the
 * read-only image; writable are only the working directory, its read-write claims, /tmp, /var/tmp and the user's home
 * (empty, in memory, as a fresh container's home would be for files the task makes). The
 * environment is the image's, then HOME, then the task's own (params win, as in Concourse).
 */
export function taskSandboxLayout(input: TaskSandboxLayoutInput): TaskSandboxLayout {
  const { task, config, user, facts } = input;
  const notices: string[] = [];
  const wanted = config.workingDir === undefined ? undefined : posix.normalize(config.workingDir);
  let workDir = posix.join('/tmp/build', input.buildDirName);
  let copyImageWorkDir = false;
  if (wanted !== undefined && wanted !== '/') {
    if (posix.isAbsolute(wanted) && facts.directories.has(wanted)) {
      workDir = wanted;
      copyImageWorkDir = !isUnder(wanted, '/tmp');
    } else {
      notices.push(`the image's working_dir ${config.workingDir} is not a directory in the image; the task runs in ${workDir}`);
    }
  }
  const tmpfs = ['/tmp'];
  if (facts.directories.has('/var/tmp')) tmpfs.push('/var/tmp');
  if (user.home !== '/' && facts.directories.has(user.home) && !isUnder(user.home, '/tmp') && !isUnder(workDir, user.home) && !isUnder(user.home, workDir)) {
    tmpfs.push(user.home);
  }
  const mounts: SandboxMount[] = [{ source: task.workDir, target: workDir }];
  // A claim is a directory on this host, bound over its path inside the working directory (read-only when asked: the sandbox enforces it).
  for (const claim of task.claims ?? []) mounts.push({ source: claim.claim, target: posix.join(workDir, claim.path), readOnly: claim.readOnly });
  // The host's name resolution, as Docker and Concourse give a container that shares the network.
  if (input.network) {
    for (const file of ['/etc/resolv.conf', '/etc/hosts']) if (facts.files.has(file)) mounts.push({ source: file, target: file, readOnly: true });
  }
  const cwd = task.run.dir === undefined ? workDir : posix.join(workDir, task.run.dir);
  return {
    workDir,
    copyImageWorkDir,
    cwd,
    argv: [task.run.path, ...task.run.args],
    env: { PATH: DEFAULT_PATH, ...config.env, HOME: user.home, ...task.env },
    mounts,
    tmpfs,
    notices,
  };
}

/** The paths inside the image the layout asks about, for the executor to look up. */
export function pathsToInspect(config: ImageConfig, user: SandboxUser): { directories: string[]; files: string[] } {
  const directories = ['/var/tmp', user.home];
  if (config.workingDir !== undefined && posix.isAbsolute(config.workingDir)) directories.push(posix.normalize(config.workingDir));
  return { directories, files: ['/etc/resolv.conf', '/etc/hosts'] };
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
