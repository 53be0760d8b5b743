import { cp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { WeirError } from '../../errors.js';
import type { TaskOwner } from '../executor.js';
import { placeInputs } from '../local/working-directory.js';
import { HELPER_WORK_DIR } from './task-pod.js';

/** One program run in a pod the way a resource type's script runs (`KubernetesExecutor.runScript`). */
export interface PodScriptRun {
  /** The image by digest; the node pulls it. */
  image: string;
  /** An absolute path in the image, and its arguments. */
  argv: readonly [string, ...string[]];
  /** Written to the program's stdin. */
  stdin: string;
  /**
   * A directory on this host the program sees at `path` (`/tmp/build/<name>`): its files are
   * sent into the pod, and, with `returns`, what the program left there comes back into it.
   * The program starts in it.
   */
  dir?: { local: string; path: string; returns: boolean };
  /** Besides the image's own environment. */
  env: Record<string, string>;
  privileged: boolean;
  /** More on stdout errors the run. */
  maxStdoutBytes: number;
  /** A directory on this host to stage the pod's files in. */
  scratch: string;
  /** The build the run belongs to, for the pod's labels; absent for a check. */
  owner?: TaskOwner;
  /** Part of the pod's name when there is no owner (`check-git`). */
  name: string;
  /** Names the run in errors. */
  location: string;
  signal: AbortSignal;
  onStderr(line: string): void;
}

export interface PodScriptExit {
  exitStatus: number;
  /** What the program printed on stdout; empty unless it exited 0. */
  stdout: Buffer;
  /** The image has no such program (its shell said so before running it). */
  programMissing: boolean;
}

/** Where the pod's working volume is in the script's container: Concourse's `$1` directories are inside it. */
export const SCRIPT_WORK_PATH = '/tmp/build';
const STDIN_FILE = '.weir-stdin';
const STDOUT_FILE = '.weir-stdout';

/** What the wrapper exits with, after saying so, when the program is not in the image (as a shell does). */
export const MISSING_PROGRAM_STATUS = 127;

export function missingProgramLine(program: string): string {
  return `weir: ${program} is not an executable file in this image`;
}

/**
 * The container's command. Kubernetes cannot give a container a file as stdin or send its stdout
 * anywhere but the log it shares with stderr, so the image's own `/bin/sh` (every Concourse
 * resource type image has one) redirects both to files in the working volume: the log then holds
 * only stderr, and stdout is read back from the file, bounded. The program itself is exec'd, so
 * its exit status is the container's.
 */
export function scriptPodRun(run: Pick<PodScriptRun, 'argv' | 'dir'>): { path: string; args: string[]; dir?: string } {
  const dirName = scriptDirName(run.dir);
  const wrapper = [
    `[ -f "$0" ] && [ -x "$0" ] || { echo "${missingProgramLine('$0')}" >&2; exit ${MISSING_PROGRAM_STATUS}; }`,
    `exec "$0" "$@" < ${SCRIPT_WORK_PATH}/${STDIN_FILE} > ${SCRIPT_WORK_PATH}/${STDOUT_FILE}`,
  ].join('\n');
  return { path: '/bin/sh', args: ['-c', wrapper, ...run.argv], ...(dirName !== undefined && { dir: dirName }) };
}

/** The directory's name inside the working volume: `get` for `/tmp/build/get`. */
export function scriptDirName(dir: PodScriptRun['dir']): string | undefined {
  if (dir === undefined) return undefined;
  const name = posix.relative(SCRIPT_WORK_PATH, dir.path);
  if (name === '' || name.includes('/') || name.startsWith('.')) throw new Error(`a script's directory must be a directory right under ${SCRIPT_WORK_PATH}, not ${dir.path}`);
  return name;
}

/** Lays out on this host what goes into the pod: the request, and the directory's files (copied, so the program cannot change the original). */
export async function stageScriptFiles(stage: string, run: Pick<PodScriptRun, 'stdin' | 'dir'>): Promise<void> {
  // Readable by any user: the script may run as its image's USER, which only the node knows.
  await writeFile(join(stage, STDIN_FILE), run.stdin, { mode: 0o644 });
  const dirName = scriptDirName(run.dir);
  if (dirName === undefined) return;
  if (run.dir!.returns) await mkdir(join(stage, dirName));
  else await placeInputs(stage, [{ name: dirName, path: dirName, source: run.dir!.local }]);
}

/** The stdout file as the outputs helper sees it. */
export function scriptStdoutInHelper(): string {
  return `${HELPER_WORK_DIR}/${STDOUT_FILE}`;
}

/** Moves what `from` holds into `to` (which the caller gave, and may be on another filesystem). */
export async function moveEntries(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from)) {
    try {
      await rename(join(from, entry), join(to, entry));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await cp(join(from, entry), join(to, entry), { recursive: true, verbatimSymlinks: true });
      await rm(join(from, entry), { recursive: true, force: true });
    }
  }
}

export function outputTooLarge(program: string, maxBytes: number): WeirError {
  return new WeirError('kubernetes-output-too-large', `${program} wrote more than ${maxBytes} bytes to stdout`, {
    hint: 'the program must answer with a small JSON document; write logs to stderr',
  });
}
