import type { TaskConfig } from './schema/index.js';

/** The `image_resource` a `rootfs_uri` stands for, or why weir cannot run it. */
export type RootfsUriImage =
  | { image: NonNullable<TaskConfig['image_resource']> }
  | { problem: { code: 'task-rootfs-uri-unsupported'; message: string; hint: string } };

const REPOSITORY_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Docker talks plain HTTP to a registry on the loopback without being told (its default insecure range is 127.0.0.0/8). */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

const HINT =
  'write the image as image_resource: {type: registry-image, source: {repository: ..., tag: ...}}, or, for a root filesystem on disk, lay it out as an image artifact (rootfs/ plus metadata.json) and name it with the step\'s image: (weir execute: -i NAME=DIR --image NAME)';

/**
 * Concourse's deprecated `rootfs_uri` is handed as it is to the worker's Garden, which reads two
 * forms: `docker://[registry]/repository[#tag]` (pulled from a registry) and `raw:///path` (a
 * directory on the worker). The first means the same as a registry-image `image_resource`, so
 * weir runs it as one; a path on some worker means nothing to a pipeline run elsewhere, and
 * binding a host directory a pipeline names as a task's root would hand it the host's files,
 * so `raw://` and anything else are refused, never ignored.
 */
export function rootfsUriImage(uri: string): RootfsUriImage {
  const unsupported = (message: string): RootfsUriImage => ({ problem: { code: 'task-rootfs-uri-unsupported', message, hint: HINT } });
  if (uri.startsWith('raw://')) return unsupported(`rootfs_uri ${JSON.stringify(uri)} names a directory on a Concourse worker, which weir does not run tasks from`);
  if (!uri.startsWith('docker://')) return unsupported(`rootfs_uri ${JSON.stringify(uri)} is neither docker://[registry]/repository[#tag] nor raw:///path`);
  const rest = uri.slice('docker://'.length);
  const hash = rest.indexOf('#');
  const location = hash === -1 ? rest : rest.slice(0, hash);
  const tag = hash === -1 ? 'latest' : rest.slice(hash + 1);
  const slash = location.indexOf('/');
  const host = slash === -1 ? '' : location.slice(0, slash);
  const path = slash === -1 ? location : location.slice(slash + 1);
  if (slash === -1 || !REPOSITORY_PATH.test(path)) {
    return unsupported(`rootfs_uri ${JSON.stringify(uri)} has no repository weir can read: write docker:///repository#tag (Docker Hub) or docker://registry.example:5000/repository#tag`);
  }
  if (!TAG.test(tag)) return unsupported(`rootfs_uri ${JSON.stringify(uri)} has an invalid tag ${JSON.stringify(tag)}`);
  return {
    image: {
      type: 'registry-image',
      source: {
        repository: host === '' ? path : `${host}/${path}`,
        tag,
        ...(LOOPBACK_HOST.test(host) && { insecure: true }),
      },
    },
  };
}
