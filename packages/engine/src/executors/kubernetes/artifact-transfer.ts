import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { WeirError } from '../../errors.js';
import type { ClusterConnection } from './cluster-connection.js';
import { execInPod } from './pod-exec.js';
import { HELPER_WORK_DIR, INPUTS_CONTAINER, INPUTS_READY, OUTPUTS_CONTAINER } from './task-pod.js';

export interface PodTarget {
  namespace: string;
  pod: string;
}

/**
 * Sends the working directory laid out on this host (inputs, empty outputs, caches) into the
 * pod as a tar stream through exec into the inputs container, which unpacks it into the pod's
 * working directory and then lets the task start. Directories are made writable for every user,
 * since the task may run as a user the engine cannot know (the image's USER); a numeric
 * `run.user` gets the files as its own.
 */
export async function sendInputs(connection: ClusterConnection, target: PodTarget, workDir: string, user: string | undefined, signal: AbortSignal): Promise<number> {
  let bytes = 0;
  // Counted on the way through a node stream, which holds the tar until exec reads it: a data
  // listener on the tar itself would start it flowing before the connection is open.
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  tar.c({ cwd: workDir, portable: true }, ['.']).pipe(counted);
  // A runtime that may not chown (rootless, a user namespace mapping one id) still leaves every directory writable.
  const owner = user !== undefined && /^\d+(:\d+)?$/.test(user) ? ` && { chown -R ${user} ${HELPER_WORK_DIR} 2>/dev/null || true; }` : '';
  const script = `tar -x -f - -C ${HELPER_WORK_DIR}${owner} && find ${HELPER_WORK_DIR} -type d -exec chmod a+rwx {} + && : > ${INPUTS_READY}`;
  const result = await execInPod(connection, { ...target, container: INPUTS_CONTAINER }, ['sh', '-c', script], { stdin: counted, signal });
  if (result.exitStatus !== 0) {
    throw new WeirError('kubernetes-inputs-failed', `the inputs could not be unpacked in pod ${target.pod} (exit status ${result.exitStatus}): ${result.stderr.trim() || 'no message'}`, {
      hint: 'the pod\'s disk may be full, or the helper image (weir up --kubernetes-helper-image) lacks sh, tar, find or chmod',
    });
  }
  return bytes;
}

/**
 * Takes `paths` (outputs and caches, relative to the working directory) out of the pod as a tar
 * stream through exec into the outputs container, which outlives the task's container for this,
 * and unpacks them into `workDir` after emptying it. A path the task removed comes back empty.
 * node-tar refuses absolute paths, `..` and writing through a symlink, so a task cannot place
 * files outside `workDir`.
 */
export async function takeOutputs(connection: ClusterConnection, target: PodTarget, workDir: string, paths: readonly string[], signal: AbortSignal): Promise<number> {
  for (const entry of await readdir(workDir)) await rm(join(workDir, entry), { recursive: true, force: true });
  if (paths.length === 0) return 0;
  let bytes = 0;
  const unpack = tar.x({ cwd: workDir, strict: true });
  const counted = new PassThrough();
  counted.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const unpacked = pipeline(counted, unpack as unknown as NodeJS.WritableStream);
  const script = `cd ${HELPER_WORK_DIR} && for p do [ -e "$p" ] || mkdir -p -- "$p"; done && exec tar -c -f - -- "$@"`;
  const result = await execInPod(connection, { ...target, container: OUTPUTS_CONTAINER }, ['sh', '-c', script, 'sh', ...paths], { stdout: counted, signal });
  try {
    await unpacked;
  } catch (cause) {
    throw new WeirError('kubernetes-outputs-invalid', `the outputs of pod ${target.pod} could not be unpacked: ${(cause as Error).message}`, {
      hint: 'the task may have left something in an output that cannot be stored (a path outside the output, a special file); look at what it writes there',
      cause,
    });
  }
  if (result.exitStatus !== 0) {
    throw new WeirError('kubernetes-outputs-failed', `the outputs could not be packed in pod ${target.pod} (exit status ${result.exitStatus}): ${result.stderr.trim() || 'no message'}`, {
      hint: 'the helper image (weir up --kubernetes-helper-image) needs sh, tar and mkdir',
    });
  }
  return bytes;
}

/**
 * A file of the pod's working directory (as the outputs helper sees it), read whole into memory
 * but never more than `maxBytes` of it: the helper sends one byte past the bound, so a larger
 * file is known without being transferred. Returns undefined when the file holds more.
 */
export async function readPodFile(connection: ClusterConnection, target: PodTarget, path: string, maxBytes: number, signal: AbortSignal): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const collected = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes <= maxBytes + 1) chunks.push(chunk);
      callback();
    },
  });
  const result = await execInPod(connection, { ...target, container: OUTPUTS_CONTAINER }, ['head', '-c', String(maxBytes + 1), path], { stdout: collected, signal });
  if (result.exitStatus !== 0) {
    throw new WeirError('kubernetes-outputs-failed', `${path} could not be read in pod ${target.pod} (exit status ${result.exitStatus}): ${result.stderr.trim() || 'no message'}`, {
      hint: 'the helper image (weir up --kubernetes-helper-image) needs head',
    });
  }
  const content = Buffer.concat(chunks);
  return content.length > maxBytes ? undefined : content;
}
