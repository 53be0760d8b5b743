import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactPath, readArtifactText, unreadableReason } from '../artifact-paths.js';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { aliasesToBump } from './aliases.js';
import type { TokenCache } from './auth.js';
import { expandGlob } from './image-glob.js';
import { loadLocalImage } from './local-image.js';
import { promoteImage } from './promote.js';
import { pushImage } from './push.js';
import { parseAdditionalTags, tagsToPush } from './put-tags.js';
import { isValidDigest, parseRepository } from './reference.js';
import { connect, type CompiledSource, type RegistryImageVersion } from './source.js';
import { parseLooseSemver } from './tag-selection.js';

export interface RegistryImagePutParams {
  image?: string;
  promote?: string;
  version?: string;
  bump_aliases?: boolean;
  additional_tags?: string;
  username?: string;
  password?: string;
}

/** A version fetched by a get, to promote: where it lives and its digest. */
interface Promotion {
  path: string;
  digest: string;
}

/**
 * Pushes an image from the build's artifacts, or promotes (re-tags) a fetched version, under
 * every tag the source and params name. The new version is the first tag with the digest.
 */
export async function putImage(
  ctx: ResourceContext,
  source: CompiledSource,
  params: RegistryImagePutParams,
  workdir: string,
  tokens: TokenCache,
  chunkSize: number,
): Promise<Versioned<RegistryImageVersion>> {
  if ((params.image === undefined) === (params.promote === undefined)) {
    throw new ResourceError(
      'registry-image-put-needs-one-image',
      params.image === undefined ? 'a put to a registry-image resource needs `image` (what to push) or `promote` (a fetched version to re-tag)' : 'a put takes `image` or `promote`, not both',
      'set `params: {image: image/image.tar}` after a build, or `params: {promote: my-image}` after a get of the version to promote',
    );
  }
  const version = params.version === undefined ? undefined : parseVersion(params.version);
  const additional =
    params.additional_tags === undefined ? [] : parseAdditionalTags(await readArtifact(workdir, params.additional_tags, 'additional_tags'), params.additional_tags);
  const promotion = params.promote === undefined ? undefined : await readPromotion(workdir, params.promote, source);

  const client = connect(ctx, source, tokens, { push: true, ...(promotion && { pullFrom: [promotion.path] }) });
  const scratch = await mkdtemp(join(tmpdir(), 'weir-registry-image-'));
  try {
    const bump = params.bump_aliases === true && version !== undefined && version.prerelease.length === 0;
    const aliases = bump ? aliasesToBump((await client.listTags()) ?? [], version, source.variant) : [];
    const tags = tagsToPush({
      ...(source.tag !== undefined && { sourceTag: source.tag }),
      ...(version !== undefined && { versionTag: `${version.version}${source.variant === undefined ? '' : `-${source.variant}`}` }),
      aliases,
      additional,
    });
    const log = (line: string): void => ctx.log(line);
    let digest: string;
    if (promotion !== undefined) {
      await promoteImage(client, promotion.path, promotion.digest, tags, log);
      digest = promotion.digest;
    } else {
      const path = await matchOneImage(workdir, params.image as string);
      const image = await artifactPath(workdir, path, {
        outside: outsideArtifacts(path, 'image'),
        missing: (cause) => new ResourceError('registry-image-image-not-found', `cannot read the image ${path}: ${unreadableReason(cause)}`, 'check the output name and the file the build wrote (e.g. image/image.tar)'),
      });
      digest = await pushImage(client, await loadLocalImage(image, path, scratch), tags, { chunkSize, log });
    }
    return {
      version: { tag: tags[0] as string, digest },
      metadata: [
        { name: 'repository', value: source.repository },
        { name: 'tags', value: tags.join(' ') },
      ],
    };
  } finally {
    client.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function parseVersion(text: string): NonNullable<ReturnType<typeof parseLooseSemver>> {
  const version = parseLooseSemver(text.trim());
  if (version === undefined) {
    throw new ResourceError('registry-image-invalid-version', `the version ${JSON.stringify(text)} is not a semantic version`, 'pass a version like 1.2.3 (a leading v is dropped from the tag)');
  }
  return version;
}

async function matchOneImage(workdir: string, pattern: string): Promise<string> {
  const matches = await expandGlob(workdir, pattern);
  if (matches.length === 1) return matches[0] as string;
  throw matches.length === 0
    ? new ResourceError('registry-image-image-not-found', `nothing matches the image path ${JSON.stringify(pattern)}`, 'check the output name and the file the build wrote (e.g. image/image.tar)')
    : new ResourceError('registry-image-image-ambiguous', `the image path ${JSON.stringify(pattern)} matches ${matches.length} paths: ${matches.slice(0, 5).join(', ')}`, 'make the pattern match exactly one image');
}

function outsideArtifacts(path: string, param: string): () => ResourceError {
  return () => new ResourceError('registry-image-path-outside', `the ${param} path ${JSON.stringify(path)} leaves the build's artifacts`, 'write a path inside an artifact of this build, without .. and not through a symlink that leads out');
}

function readArtifact(workdir: string, path: string, param: string): Promise<string> {
  return readArtifactText(workdir, path, {
    outside: outsideArtifacts(path, param),
    missing: (cause) =>
      new ResourceError(`registry-image-${param.replace(/_/g, '-')}-unreadable`, `cannot read the ${param} file ${path}: ${unreadableReason(cause)}`, 'check that an earlier step wrote it into an output with that name'),
  });
}

/** Reads what a get left (`repository`, `digest`) and checks the digest can be re-tagged here. */
async function readPromotion(workdir: string, dir: string, source: CompiledSource): Promise<Promotion> {
  const read = (file: string): Promise<string> =>
    readArtifactText(workdir, join(dir, file), {
      outside: outsideArtifacts(join(dir, file), 'promote'),
      missing: () =>
        new ResourceError(
          'registry-image-promote-invalid',
          `${dir} has no ${file} file, so it is not the directory of a registry-image get`,
          'set `promote` to the name of a get step of a registry-image resource (`skip_download: true` is enough)',
        ),
    }).then((text) => text.trim());
  const digest = await read('digest');
  const repository = await read('repository');
  if (!isValidDigest(digest)) {
    throw new ResourceError('registry-image-promote-invalid', `${dir}/digest holds ${JSON.stringify(digest.slice(0, 80))}, not an image digest`, 'set `promote` to the name of a get step of a registry-image resource');
  }
  const reference = parseRepository(repository);
  if (reference.apiHost !== source.reference.apiHost) {
    throw new ResourceError(
      'registry-image-promote-other-registry',
      `cannot promote ${repository}@${digest} into ${source.repository}: they are in different registries (${reference.registry}, ${source.reference.registry})`,
      'promotion re-tags within one registry; to copy across registries, get it with `format: oci-layout` and put `image: <get>/oci`',
    );
  }
  return { path: reference.path, digest };
}
