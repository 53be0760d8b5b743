import { createHash } from 'node:crypto';
import type { AnyResourceType, ResourceContext, Version } from '@weir/resources';
import { validateParams, validateSource, validateVersions } from '../../resource-types/checked-calls.js';
import { WeirError } from '../../errors.js';
import type { ImageLease, ImageStore } from './image-store.js';

/** An unnamed resource that supplies an image, as a task's `image_resource` or a resource type's declaration gives it. */
export interface ImageResource {
  /** The type's name as written (for errors and the cache key). */
  type: string;
  source: Record<string, unknown>;
  params?: Record<string, unknown>;
  /** A pinned version; without it the type is checked for its latest. */
  version?: Version;
}

export interface ImageResourceRequest {
  resource: ImageResource;
  /** The resource type that fetches it, resolved from `resource.type` by the caller (built-in or custom). */
  type: AnyResourceType;
  /** Where the check and get log (the build's log), their signal and cache directory. */
  context: ResourceContext;
  store: ImageStore;
  /** Names the image in errors, e.g. `the image of task test`. */
  location: string;
}

export interface ImageResourceLease extends ImageLease {
  /** The version that was run, e.g. `{digest: "sha256:..."}` for registry-image. */
  version: Version;
}

/**
 * The image an `image_resource` names, ready to run: its latest version (or the pinned one),
 * fetched through its type's `get` into the store unless the store already has that version.
 * Concourse checks an image resource each time a task runs and fetches it only when new; so
 * does this. The caller must release the lease when the task is done with it.
 */
export async function leaseImageResource(request: ImageResourceRequest): Promise<ImageResourceLease> {
  const { resource, type, context, location } = request;
  validateSource(type, resource.source, location);
  const params = validateParams(type, 'get', withRootfsFormat(type, resource.params ?? {}), { step: location, field: 'params', resource: `image_resource (${resource.type})` });
  const version = resource.version ?? (await latestVersion(type, resource, context, location));
  const { format: _format, ...fetchParams } = params;
  const key = imageKey(resource.type, version, fetchParams);
  const lease = await request.store.lease(
    key,
    async (dir, signal) => {
      const result = await type.get({ ...context, signal }, resource.source, version, params, dir);
      validateVersions(type, result, 'get');
    },
    { signal: context.signal, what: location },
  );
  return { ...lease, version };
}

async function latestVersion(type: AnyResourceType, resource: ImageResource, context: ResourceContext, location: string): Promise<Version> {
  const versions = validateVersions(type, await type.check(context, resource.source), 'check');
  const latest = versions.at(-1);
  if (latest === undefined) {
    throw new WeirError('image-not-found', `the ${resource.type} image of ${location} has no version: ${describeSource(resource.source)} found nothing`, {
      location,
      hint: 'check the repository and tag in image_resource.source, and that the image was pushed',
    });
  }
  return latest.version;
}

/**
 * The cache key: an image's content is named by its digest when the version has one
 * (registry-image's `digest`), else by the whole version; params that change what is fetched
 * (a platform) are part of it; `format` is not, since an image is always fetched as a rootfs.
 * Two resources naming the same digest share one copy.
 */
export function imageKey(typeName: string, version: Version, params: Record<string, unknown>): string {
  const extra = Object.keys(params).length === 0 ? '' : `+${createHash('sha256').update(stableJson(params)).digest('hex').slice(0, 16)}`;
  const digest = version.digest;
  if (typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest)) return `${digest}${extra}`;
  return `${typeName}:${createHash('sha256').update(stableJson(version)).digest('hex')}${extra}`;
}

/** registry-image writes a rootfs by default; a type that takes a `format` param is asked for one explicitly. */
function withRootfsFormat(type: AnyResourceType, params: Record<string, unknown>): Record<string, unknown> {
  const known = (type.getParamsSchema?.properties ?? {}) as Record<string, unknown>;
  return 'format' in known && params.format === undefined ? { ...params, format: 'rootfs' } : params;
}

function describeSource(source: Record<string, unknown>): string {
  const repository = source.repository;
  return typeof repository === 'string' ? `${repository}${typeof source.tag === 'string' ? `:${source.tag}` : ''}` : 'the source';
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
