import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResourceType } from '../interface.js';
import { TokenCache } from './auth.js';
import { checkVersions } from './check.js';
import { fetchImage, type GetFormat } from './get.js';
import { putImage, type RegistryImagePutParams } from './put.js';
import { compileSource, connect, type PlatformOption, type RegistryImageSource, type RegistryImageVersion } from './source.js';
import { registryImageGetParamsSchema, registryImagePutParamsSchema, registryImageSourceSchema } from './source-schema.js';

export type { RegistryImageSource, RegistryImageVersion } from './source.js';
export type { RegistryImagePutParams } from './put.js';

export interface RegistryImageGetParams {
  format?: GetFormat;
  skip_download?: boolean;
  platform?: PlatformOption;
  username?: string;
  password?: string;
}

export interface RegistryImageTypeOptions {
  /** Blobs larger than this are uploaded in chunks of this size. Default: 16 MiB. */
  uploadChunkBytes?: number;
  /** Tags asked for per page of the tag list. Default: 1000. */
  tagPageSize?: number;
  /** Bearer tokens kept between calls. Default: one cache for the process. */
  tokens?: TokenCache;
}

const DEFAULT_UPLOAD_CHUNK_BYTES = 16 << 20;

/** The registry-image type; options exist so tests can exercise chunked uploads and tag paging on small images. */
export function createRegistryImageType(
  options: RegistryImageTypeOptions = {},
): ResourceType<RegistryImageSource, RegistryImageVersion, RegistryImageGetParams, RegistryImagePutParams> {
  const tokens = options.tokens ?? new TokenCache();
  const paging = options.tagPageSize === undefined ? {} : { tagPageSize: options.tagPageSize };
  return {
    name: 'registry-image',
    description: 'Container images in an OCI registry: check tags or semver versions, fetch as rootfs or OCI, push and promote.',
    sourceSchema: registryImageSourceSchema,
    getParamsSchema: registryImageGetParamsSchema,
    putParamsSchema: registryImagePutParamsSchema,

    async check(ctx, source, from) {
      const compiled = compileSource(source);
      const client = connect(ctx, compiled, tokens, paging);
      try {
        return await checkVersions(client, compiled.mode, from);
      } finally {
        client.close();
      }
    },

    async get(ctx, source, pinned, params, dir) {
      const compiled = compileSource(source, params);
      // A version pinned by hand (an image_resource's `version: {digest: ...}`, as Concourse
      // documents it) may name no tag: the source's stands in, as in Concourse's resource.
      const version = { ...pinned, tag: pinned.tag ?? (typeof source.tag === 'string' ? source.tag : 'latest') };
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'repository'), compiled.repository);
      await writeFile(join(dir, 'tag'), version.tag);
      await writeFile(join(dir, 'digest'), version.digest);
      const metadata = [{ name: 'repository', value: compiled.repository }];
      if (params.skip_download === true) return { version, metadata };
      const client = connect(ctx, compiled, tokens, paging);
      try {
        const details = await fetchImage(client, version, dir, {
          format: params.format ?? 'rootfs',
          platform: compiled.platform,
          repository: compiled.repository,
          log: (line) => ctx.log(line),
          signal: ctx.signal,
        });
        return { version, metadata: [...metadata, ...details] };
      } finally {
        client.close();
      }
    },

    async put(ctx, source, params, workdir) {
      return putImage(ctx, compileSource(source, params), params, workdir, tokens, options.uploadChunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES);
    },
  };
}

export const registryImageResourceType = createRegistryImageType();
