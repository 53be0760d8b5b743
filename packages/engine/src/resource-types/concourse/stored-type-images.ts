import type { ResourceContext, Version } from '@weir/resources';
import { leaseImageResource } from '../../executors/sandbox/image-resource.js';
import type { ImageStore } from '../../executors/sandbox/image-store.js';
import { DEFAULT_TYPE_CHECK_EVERY_MS, withSecrets } from './type-declaration.js';
import type { LeasedTypeImage, TypeImageRequest, TypeImageSource } from './type-image.js';

export interface StoredTypeImagesOptions {
  /** The engine's image cache, shared with the tasks' images; opened on first use. */
  store(): Promise<ImageStore>;
  now?: () => number;
}

interface KnownVersion {
  version: Version;
  checkedAt: number;
}

/**
 * Resource types' images, fetched through the type their declaration names into the engine's
 * image cache, once per digest. Concourse checks a type's image every `check_every` (a minute
 * by default), not at every run of its scripts: the version found is reused until then, so a
 * check of a custom type costs one registry request a minute at most.
 */
export class StoredTypeImages implements TypeImageSource {
  private readonly known = new Map<string, KnownVersion>();
  private readonly now: () => number;

  constructor(private readonly options: StoredTypeImagesOptions) {
    this.now = options.now ?? Date.now;
  }

  async lease(request: TypeImageRequest, ctx: ResourceContext): Promise<LeasedTypeImage> {
    const { declaration, fetcher, key } = request;
    const store = await this.options.store();
    const known = this.known.get(key);
    const trustedMs = declaration.checkEveryMs === undefined ? DEFAULT_TYPE_CHECK_EVERY_MS : declaration.checkEveryMs;
    const fresh = known !== undefined && (trustedMs === null || this.now() - known.checkedAt < trustedMs);
    const checkedAt = this.now();
    const location = `the image of resource type ${declaration.name}`;
    const lease = await leaseImageResource({
      resource: {
        type: declaration.type,
        source: await withSecrets(ctx, declaration.source, location),
        params: await withSecrets(ctx, declaration.params, location),
        ...(fresh && { version: known.version }),
      },
      type: fetcher,
      context: ctx,
      store,
      location,
    });
    if (!fresh) this.known.set(key, { version: lease.version, checkedAt });
    return {
      where: 'host',
      rootfs: lease.rootfs,
      config: { env: lease.config.env, user: lease.config.user },
      description: describeImage(declaration.type, declaration.source, lease.version),
      release: lease.release,
    };
  }
}

/** `127.0.0.1:5000/types/store:latest@sha256:...` for a registry image; the type and version otherwise. */
export function describeImage(type: string, source: Record<string, unknown>, version: Version): string {
  const digest = typeof version.digest === 'string' ? `@${version.digest}` : '';
  if (typeof source.repository === 'string') return `${source.repository}${typeof source.tag === 'string' ? `:${source.tag}` : ''}${digest}`;
  return `a ${type} image ${JSON.stringify(version)}`;
}
