import { rootfsUriImage } from '../../config/rootfs-uri.js';
import type { TaskConfig } from '../../config/schema/index.js';
import { WeirError } from '../../errors.js';

/**
 * The task config with its `rootfs_uri` turned into the `image_resource` it stands for, so that
 * everything after (where the task runs, which image is fetched) sees one kind of image. Only
 * when nothing takes precedence, as in Concourse: the step's `image` artifact, then
 * `image_resource`. A form weir cannot run errors the task instead of running it without its image.
 */
export function resolveRootfsUri(config: TaskConfig, hasImageArtifact: boolean, location: string): TaskConfig {
  const uri = config.rootfs_uri;
  if (uri === undefined || hasImageArtifact || config.image_resource !== undefined) return config;
  const resolved = rootfsUriImage(uri);
  if ('problem' in resolved) throw new WeirError(resolved.problem.code, resolved.problem.message, { location: `${location} rootfs_uri`, hint: resolved.problem.hint });
  return { ...config, image_resource: resolved.image };
}
