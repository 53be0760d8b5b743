import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, DEFAULT_IMAGE_CACHE_BYTES, ImageStore, leaseImageResource, WeirError, type ImageResourceLease, type TaskConfig, type TaskImage } from '@weir/engine';
import { registryImageResourceType } from '@weir/resources';

/** A task's image for `weir execute`, held until the task is done with it. */
export interface ExecuteImage extends TaskImage {
  release(): void;
}

/**
 * Where `weir execute` keeps images between runs, so the second run of a task does not fetch its
 * image again: `--image-cache`, else `$XDG_CACHE_HOME/weir/images`, else `~/.cache/weir/images`.
 */
export function imageCacheDir(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  if (flag !== undefined) return resolve(cwd, flag);
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'weir', 'images');
}

/**
 * The task's `image_resource`, checked and fetched (once per digest) into the image store at
 * `cacheDir` by the engine's own code, as a task step leases it. Only registry-image is
 * available without a server: the other image types need a pipeline's resource types.
 */
export async function leaseExecuteImage(
  declared: NonNullable<TaskConfig['image_resource']>,
  options: { cacheDir: string; workDir: string; signal: AbortSignal; log(line: string): void; location: string },
): Promise<ExecuteImage> {
  if (declared.type !== registryImageResourceType.name) {
    throw new WeirError('execute-image-type-unsupported', `image_resource type "${declared.type}" cannot be fetched by weir execute`, {
      location: options.location,
      hint: 'weir execute fetches registry-image images; run the task in a pipeline for other image types',
    });
  }
  const logger = createLogger({ level: 'silent' });
  const store = await ImageStore.open({ root: options.cacheDir, maxBytes: DEFAULT_IMAGE_CACHE_BYTES, logger });
  const lease: ImageResourceLease = await leaseImageResource({
    resource: {
      type: declared.type,
      source: declared.source ?? {},
      ...(declared.params !== undefined && { params: declared.params }),
      ...(declared.version !== undefined && { version: declared.version as Record<string, string> }),
    },
    type: registryImageResourceType,
    context: {
      logger,
      signal: options.signal,
      log: options.log,
      redact: (text) => text,
      cacheDir: join(options.workDir, 'image-resource-cache'),
      now: () => new Date(),
      // registry-image reads no local path; none is allowed.
      localPaths: { roots: [], forbidden: [] },
    },
    store,
    location: `the image of ${options.location}`,
  });
  const repository = typeof declared.source?.repository === 'string' ? declared.source.repository : declared.type;
  const digest = lease.version.digest;
  const name = `${declared.type} ${repository}${digest !== undefined ? `@${digest}` : ''}`;
  options.log(lease.fetched ? `fetched ${name} into ${options.cacheDir}` : `${name} is in the image cache ${options.cacheDir}`);
  return { rootfs: lease.rootfs, config: lease.config, name, release: lease.release };
}
