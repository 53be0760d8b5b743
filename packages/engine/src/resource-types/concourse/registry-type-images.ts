import type { ResourceContext, Version } from '@weir/resources';
import { WeirError } from '../../errors.js';
import { validateSource, validateVersions } from '../checked-calls.js';
import { describeImage } from './stored-type-images.js';
import { DEFAULT_TYPE_CHECK_EVERY_MS, withSecrets } from './type-declaration.js';
import type { LeasedTypeImage, TypeImageRequest, TypeImageSource } from './type-image.js';

export interface RegistryTypeImagesOptions {
  now?: () => number;
}

interface KnownDigest {
  digest: string;
  checkedAt: number;
}

/**
 * Resource types' images as a cluster runs them: `repository@digest`, found by checking the
 * declared `registry-image` source (or taken from a digest the source pins), and never fetched
 * here, since the node that runs the script pulls it. As with images fetched for the sandbox, a
 * version found is trusted for the declaration's `check_every` (a minute by default).
 */
export class RegistryTypeImages implements TypeImageSource {
  private readonly known = new Map<string, KnownDigest>();
  private readonly now: () => number;

  constructor(options: RegistryTypeImagesOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async lease(request: TypeImageRequest, ctx: ResourceContext): Promise<LeasedTypeImage> {
    const { declaration, fetcher, key } = request;
    const location = `the image of resource type ${declaration.name}`;
    const source = await withSecrets(ctx, declaration.source, location);
    const repository = source.repository;
    if (!request.fetcherIsBuiltin || fetcher.name !== 'registry-image' || typeof repository !== 'string') {
      throw new WeirError('kubernetes-type-image-required', `resource type ${declaration.name} gets its image with type ${declaration.type}, and a cluster runs a type's scripts from an image in a registry`, {
        location,
        hint: 'declare the type with type: registry-image and source.repository (and a tag), so the cluster\'s nodes can pull it by digest',
      });
    }
    const known = this.known.get(key);
    const trustedMs = declaration.checkEveryMs === undefined ? DEFAULT_TYPE_CHECK_EVERY_MS : declaration.checkEveryMs;
    let digest = known !== undefined && (trustedMs === null || this.now() - known.checkedAt < trustedMs) ? known.digest : undefined;
    if (digest === undefined) {
      const checkedAt = this.now();
      validateSource(fetcher, source, location);
      const latest: Version | undefined = validateVersions(fetcher, await fetcher.check(ctx, source), 'check').at(-1)?.version;
      if (typeof latest?.digest !== 'string') {
        throw new WeirError('image-not-found', `the registry-image image of ${location} has no version: ${repository}${typeof source.tag === 'string' ? `:${source.tag}` : ''} found nothing`, {
          location,
          hint: 'check the repository and tag in the resource type\'s source, and that the image was pushed',
        });
      }
      digest = latest.digest;
      this.known.set(key, { digest, checkedAt });
    }
    return {
      where: 'registry',
      reference: `${repository}@${digest}`,
      description: describeImage(declaration.type, source, { digest }),
      release: () => undefined,
    };
  }
}
