import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import * as tar from 'tar';
import { ResourceError, type MetadataField } from '../interface.js';
import { createLimiter, mapConcurrently } from './limiter.js';
import { LayoutWriter, REF_NAME_ANNOTATION } from './layout-writer.js';
import { platformName, selectPlatform, type Descriptor, type ImageManifest, type Platform } from './manifest.js';
import type { FetchedManifest, RegistryClient } from './registry-client.js';
import { applyLayer, zstdRefused } from './rootfs.js';
import type { RegistryImageVersion } from './source.js';

export type GetFormat = 'rootfs' | 'oci' | 'oci-layout';

export interface GetOptions {
  format: GetFormat;
  platform: Platform;
  /** The source's repository as written, for `image.tar`'s tag. */
  repository: string;
  log: (line: string) => void;
  /** Stops unpacking between layers and within one: a large layer can take minutes. */
  signal: AbortSignal;
}

const BLOB_DOWNLOADS_IN_FLIGHT = 3;
const MAX_CONFIG_BYTES = 8 << 20;
// While one layer unpacks, this much of the next is downloaded into memory.
const READ_AHEAD_BYTES = 16 << 20;

/**
 * Fetches the version's manifest (verified against the version's digest) and writes the image
 * in the asked format. Returns metadata to show with the version.
 */
export async function fetchImage(client: RegistryClient, version: RegistryImageVersion, dir: string, options: GetOptions): Promise<MetadataField[]> {
  const top = await client.fetchManifest(version.digest);
  if (top === undefined) {
    throw new ResourceError(
      'registry-image-version-gone',
      `${options.repository}@${version.digest} (tag ${version.tag}) is no longer in the registry`,
      'the image was deleted; a newer version may exist, or use `skip_download: true` if only the digest is needed',
    );
  }
  if (options.format === 'oci-layout') {
    await saveLayout(client, top, join(dir, 'oci'), version.tag);
    options.log(`saved ${top.manifest.kind === 'index' ? 'every platform of ' : ''}${options.repository}@${version.digest} as an OCI layout in oci/`);
    return [{ name: 'media_type', value: top.mediaType }];
  }
  const image = await selectImage(client, top, options.platform, options.repository);
  const platform = { name: 'platform', value: platformName(options.platform) };
  if (options.format === 'oci') {
    await saveImageTarball(client, image, dir, `${options.repository}:${version.tag}`);
    options.log(`saved ${options.repository}@${image.digest} as image.tar`);
    return top.manifest.kind === 'index' ? [platform] : [];
  }
  await saveRootfs(client, image, dir, options);
  options.log(`unpacked ${options.repository}@${image.digest} into rootfs/`);
  return top.manifest.kind === 'index' ? [platform] : [];
}

/** The image for the platform: the manifest itself, or the index entry matching the platform. */
async function selectImage(client: RegistryClient, top: FetchedManifest, platform: Platform, repository: string): Promise<FetchedManifest & { manifest: ImageManifest }> {
  if (top.manifest.kind === 'image') return top as FetchedManifest & { manifest: ImageManifest };
  const entry = selectPlatform(top.manifest, platform);
  if (entry === undefined) {
    const available = top.manifest.manifests.flatMap((descriptor) => (descriptor.platform ? [platformName(descriptor.platform)] : []));
    throw new ResourceError(
      'registry-image-platform-not-found',
      `${repository}@${top.digest} has no image for ${platformName(platform)} (it has ${available.join(', ') || 'no platforms listed'})`,
      'set `platform: {os: ..., architecture: ...}` in the source or the get params to one of those',
    );
  }
  const child = await fetchChild(client, entry, repository);
  if (child.manifest.kind !== 'image') {
    throw new ResourceError('registry-image-invalid-manifest', `the ${platformName(platform)} entry of ${repository}@${top.digest} is another index`, 'push the image with a flat multi-platform index');
  }
  return child as FetchedManifest & { manifest: ImageManifest };
}

async function fetchChild(client: RegistryClient, entry: Descriptor, repository: string): Promise<FetchedManifest> {
  const child = await client.fetchManifest(entry.digest);
  if (child === undefined) {
    throw new ResourceError('registry-image-version-gone', `${repository}@${entry.digest}, listed in the image's index, is not in the registry`, 'push the image again');
  }
  return child;
}

/** The whole version, every platform of an index included, as an OCI layout (Concourse's `oci-layout`). */
async function saveLayout(client: RegistryClient, top: FetchedManifest, dir: string, tag: string): Promise<void> {
  const layout = new LayoutWriter(dir);
  await layout.init();
  const run = createLimiter(BLOB_DOWNLOADS_IN_FLIGHT);
  const write = async (fetched: FetchedManifest): Promise<void> => {
    await layout.writeBytes(fetched.digest, fetched.bytes);
    if (fetched.manifest.kind === 'index') {
      for (const entry of fetched.manifest.manifests) await write(await fetchChild(client, entry, client.path));
      return;
    }
    const { config, layers } = fetched.manifest;
    await Promise.all([config, ...layers].map((blob) => run(() => layout.download(client, blob))));
  };
  await write(top);
  await layout.writeIndex([{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length, annotations: { [REF_NAME_ANNOTATION]: tag } }]);
}

/**
 * One image as `image.tar` (Concourse's `oci` format): an OCI layout plus docker's
 * `manifest.json`, so both `docker load` and OCI tools read it.
 */
async function saveImageTarball(client: RegistryClient, image: FetchedManifest & { manifest: ImageManifest }, dir: string, repoTag: string): Promise<void> {
  const staging = join(dir, '.image-tar');
  try {
    const layout = new LayoutWriter(staging);
    await layout.init();
    await layout.writeBytes(image.digest, image.bytes);
    const { config, layers } = image.manifest;
    refuseLargeConfig(config);
    await mapConcurrently([config, ...layers], BLOB_DOWNLOADS_IN_FLIGHT, (blob) => layout.download(client, blob));
    await layout.writeIndex([{ mediaType: image.mediaType, digest: image.digest, size: image.bytes.length, annotations: { [REF_NAME_ANNOTATION]: repoTag.slice(repoTag.lastIndexOf(':') + 1) } }]);
    const blobName = (digest: string): string => `blobs/${digest.replace(':', '/')}`;
    await writeFile(join(staging, 'manifest.json'), JSON.stringify([{ Config: blobName(config.digest), RepoTags: [repoTag], Layers: layers.map((layer) => blobName(layer.digest)) }]));
    await writeLabels(dir, await readImageConfig(layout.blobPath(config.digest)));
    await tar.c({ file: join(dir, 'image.tar'), cwd: staging, portable: true }, ['oci-layout', 'index.json', 'manifest.json', 'blobs']);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The image unpacked into `rootfs/`, layer by layer in order, with `metadata.json` (env, user,
 * working_dir, entrypoint, cmd, os, architecture) for running it as a task image. Each layer is
 * unpacked as it downloads, never stored whole, and the next one downloads ahead (up to
 * READ_AHEAD_BYTES) meanwhile. The root is built aside and renamed to `rootfs/` only once every
 * layer matched its digest: a mismatch, a broken layer or an abort leaves no `rootfs/`.
 */
async function saveRootfs(client: RegistryClient, image: FetchedManifest & { manifest: ImageManifest }, dir: string, options: Pick<GetOptions, 'log' | 'signal' | 'repository'>): Promise<void> {
  const { config, layers } = image.manifest;
  refuseLargeConfig(config);
  const what = (index: number): string => `${options.repository}@${image.digest} layer ${index + 1} of ${layers.length} (${layers[index]!.digest})`;
  layers.forEach((layer, index) => {
    if (layer.mediaType.includes('zstd')) throw zstdRefused(what(index));
  });
  const target = { rootfs: join(dir, '.rootfs-partial'), trash: join(dir, '.rootfs-trash') };
  const imageConfig = client.openBlob(config).then(readWhole);
  const open = (layer: Descriptor): Promise<Readable> =>
    client.openBlob(layer).then((blob) => pipeline(blob, new PassThrough({ highWaterMark: READ_AHEAD_BYTES }), () => undefined));
  let next = layers.length > 0 ? open(layers[0]!) : undefined;
  // Each is awaited below or destroyed in the finally; this keeps one failing early from being "unhandled".
  imageConfig.catch(() => undefined);
  next?.catch(() => undefined);
  try {
    await mkdir(target.rootfs, { recursive: true });
    for (let index = 0; index < layers.length; index++) {
      const current = next!;
      next = index + 1 < layers.length ? open(layers[index + 1]!) : undefined;
      next?.catch(() => undefined);
      options.signal.throwIfAborted();
      await applyLayer(target, await current, what(index), options.log, options.signal);
    }
    const parsed = parseImageConfig(await imageConfig, config.digest);
    const settings = (parsed.config ?? {}) as Record<string, unknown>;
    await writeFile(
      join(dir, 'metadata.json'),
      JSON.stringify({
        env: settings.Env ?? [],
        user: settings.User ?? '',
        working_dir: settings.WorkingDir ?? '',
        entrypoint: settings.Entrypoint ?? null,
        cmd: settings.Cmd ?? null,
        // So a sandbox can refuse an image built for another machine before exec fails obscurely.
        os: parsed.os ?? '',
        architecture: parsed.architecture ?? '',
      }),
    );
    await writeLabels(dir, parsed);
    await rename(target.rootfs, join(dir, 'rootfs'));
  } catch (error) {
    await rm(target.rootfs, { recursive: true, force: true });
    throw error;
  } finally {
    await Promise.all([next?.then((stream) => stream.destroy(), () => undefined), rm(target.trash, { recursive: true, force: true })]);
  }
}

async function readWhole(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The config is read whole into memory, so its size (which the download verifies) is checked
 * from the manifest before any of it is fetched.
 */
function refuseLargeConfig(config: Descriptor): void {
  if (config.size > MAX_CONFIG_BYTES) {
    throw new ResourceError(
      'registry-image-config-too-large',
      `the image config ${config.digest} is ${config.size} bytes, more than the ${MAX_CONFIG_BYTES} weir reads`,
      'image configs are a few kilobytes; push the image again with a standard build tool, or get it with `format: oci-layout`',
    );
  }
}

async function readImageConfig(file: string): Promise<Record<string, unknown>> {
  return parseImageConfig(await readFile(file), file.slice(file.lastIndexOf('/') + 1));
}

function parseImageConfig(bytes: Buffer, name: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    throw new ResourceError('registry-image-invalid-config', `the image config ${name} is not JSON`, 'push the image again with a standard build tool');
  }
}

async function writeLabels(dir: string, imageConfig: Record<string, unknown>): Promise<void> {
  const settings = (imageConfig.config ?? {}) as Record<string, unknown>;
  await writeFile(join(dir, 'labels.json'), JSON.stringify(settings.Labels ?? {}));
}
