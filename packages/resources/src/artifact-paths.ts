import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ResourceError } from './interface.js';

/** How a type words the two ways a path into the artifacts goes wrong. */
export interface ArtifactPathErrors {
  /** The path leaves the build's artifacts, by `..`, an absolute path or a symlink. */
  outside(): ResourceError;
  /** Nothing is there, or it cannot be read (`cause.code` says why). */
  missing(cause: NodeJS.ErrnoException): ResourceError;
}

/**
 * A path a put names inside the build's artifacts (`notes/release.md`, or an artifact itself),
 * as a real path. A put's directory holds each artifact as a symlink, and what a task wrote is
 * untrusted: the path must name something under an artifact and stay inside that artifact once
 * every symlink is followed, or a link planted by a task (`notes -> /home/weir/.weir/token`)
 * would send the engine's token to a registry, a pull request or a chat channel.
 */
export async function artifactPath(workdir: string, path: string, errors: ArtifactPathErrors): Promise<string> {
  const root = resolve(workdir);
  const wanted = resolve(root, path);
  const inRoot = relative(root, wanted);
  if (inRoot === '' || inRoot === '..' || inRoot.startsWith(`..${sep}`) || isAbsolute(inRoot)) throw errors.outside();
  const artifact = join(root, inRoot.split(sep)[0] as string);
  let real: string;
  let artifactRoot: string;
  try {
    [real, artifactRoot] = await Promise.all([realpath(wanted), realpath(artifact)]);
  } catch (error) {
    throw errors.missing(error as NodeJS.ErrnoException);
  }
  const inArtifact = relative(artifactRoot, real);
  if (inArtifact === '..' || inArtifact.startsWith(`..${sep}`) || isAbsolute(inArtifact)) throw errors.outside();
  return real;
}

/**
 * A text file of the build's artifacts, confined as `artifactPath` confines it. Params name
 * small files (tags, a comment, a message): a bound keeps a task's huge output out of memory.
 */
export async function readArtifactText(workdir: string, path: string, errors: ArtifactPathErrors, maxBytes = 1024 * 1024): Promise<string> {
  const real = await artifactPath(workdir, path, errors);
  let handle;
  try {
    handle = await open(real, 'r');
  } catch (error) {
    throw errors.missing(error as NodeJS.ErrnoException);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw errors.missing(Object.assign(new Error('a directory, not a file'), { code: 'EISDIR' }));
    if (stats.size > maxBytes) throw errors.missing(Object.assign(new Error(`${stats.size} bytes, over the limit of ${maxBytes}`), { code: 'EFBIG' }));
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Why a file could not be read, in words for a build log. */
export function unreadableReason(cause: NodeJS.ErrnoException): string {
  switch (cause.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
    case 'EFBIG':
      return cause.message;
    default:
      return cause.code ?? cause.message;
  }
}
