import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeirError } from '../../errors.js';

/** What an image says about running it, from its `metadata.json` (Concourse's image artifact layout). */
export interface ImageConfig {
  /** The image's environment, in order; a task's params are laid over it. */
  env: Record<string, string>;
  /** The user the image runs as (`name`, `uid`, `name:group`, `uid:gid`); empty for root. */
  user: string;
  /** The image's working directory, when it sets one. */
  workingDir?: string;
  /** What the image was built for (`linux`, `amd64`), when its metadata says. */
  platform?: { os: string; architecture: string };
}

/** An image ready to run: a root filesystem on this host and its config. */
export interface ImageDirectory {
  /** `<dir>/rootfs`: mount it read-only, never change it (other tasks share it). */
  rootfs: string;
  config: ImageConfig;
}

/**
 * Reads a directory laid out as Concourse image artifacts are (`registry-image`'s
 * `format: rootfs`, or a task output): `rootfs/` and `metadata.json` holding `env` (a list of
 * `NAME=value`), `user` and, as weir writes it, `working_dir`. A missing `metadata.json` means
 * an image with no settings, as in Concourse; a missing `rootfs/` is an error naming `what`.
 *
 * Neither may be a symlink: an image artifact is a task's output, and a `rootfs` pointing at the
 * host's `/` would give the next sandbox the engine's files.
 */
export async function readImageDirectory(dir: string, what: string): Promise<ImageDirectory> {
  const rootfs = join(dir, 'rootfs');
  const found = await lstat(rootfs).catch(() => undefined);
  if (found?.isSymbolicLink()) {
    throw new WeirError('image-rootfs-symlink', `the rootfs/ of ${what} is a symlink`, {
      hint: 'an image artifact holds its root filesystem as a real directory, rootfs/; copy the files there instead of linking to them',
    });
  }
  if (!found?.isDirectory()) {
    throw new WeirError('image-rootfs-missing', `${what} has no rootfs/ directory`, {
      hint: 'an image artifact holds the root filesystem in rootfs/ and its settings in metadata.json: get a registry-image resource with `params: {format: rootfs}`, or write that layout from a task',
    });
  }
  const metadata = join(dir, 'metadata.json');
  const metadataFound = await lstat(metadata).catch(() => undefined);
  if (metadataFound === undefined) return { rootfs, config: { env: {}, user: '' } };
  if (!metadataFound.isFile()) {
    throw new WeirError('image-metadata-invalid', `the metadata.json of ${what} is not a file`, {
      hint: 'write metadata.json as a regular file (not a symlink), or leave it out',
    });
  }
  return { rootfs, config: parseImageMetadata(await readFile(metadata, 'utf8'), what) };
}

/** `metadata.json`'s text → the image config; anything malformed is an error naming `what`. */
export function parseImageMetadata(text: string, what: string): ImageConfig {
  const invalid = (detail: string): WeirError =>
    new WeirError('image-metadata-invalid', `the metadata.json of ${what} ${detail}`, {
      hint: 'metadata.json is {"env": ["NAME=value", ...], "user": "name or uid"}; write it again or leave it out',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('is not an object');
  const { env = [], user = '', working_dir: workingDir, os, architecture } = parsed as Record<string, unknown>;
  if (!Array.isArray(env) || env.some((entry) => typeof entry !== 'string')) throw invalid('has an env that is not a list of NAME=value strings');
  if (typeof user !== 'string') throw invalid('has a user that is not a string');
  if (workingDir !== undefined && workingDir !== null && typeof workingDir !== 'string') throw invalid('has a working_dir that is not a string');
  const variables: Record<string, string> = {};
  for (const entry of env as string[]) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    variables[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return {
    env: variables,
    user,
    ...(typeof workingDir === 'string' && workingDir !== '' && { workingDir }),
    ...(typeof os === 'string' && typeof architecture === 'string' && os !== '' && architecture !== '' && { platform: { os, architecture } }),
  };
}
