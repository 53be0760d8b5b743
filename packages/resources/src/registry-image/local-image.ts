import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar';
import { ResourceError } from '../interface.js';
import { digestOf, verifyBytes } from './digest.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST, OCI_INDEX } from './media-types.js';
import type { BlobSource } from './registry-client.js';

export interface LocalManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

/** An image to push, read from disk: what the tags will point at, and everything it needs. */
export interface LocalImage {
  /** An image manifest or an index. */
  root: LocalManifest;
  /** Manifests an index lists, innermost first: each is pushed by digest before what lists it. */
  children: LocalManifest[];
  /** Every config and layer blob, once each. */
  blobs: BlobSource[];
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Reads the image at `path` (named `shownAs` in messages): an OCI layout directory, or a
 * tarball holding an OCI layout or `docker save` output. Tarballs are unpacked into `scratch`,
 * which the caller removes.
 */
export async function loadLocalImage(path: string, shownAs: string, scratch: string): Promise<LocalImage> {
  if ((await stat(path)).isDirectory()) return loadLayout(path, shownAs);
  const unpacked = join(scratch, 'unpacked');
  await mkdir(unpacked, { recursive: true });
  try {
    await tar.x({ file: path, cwd: unpacked, strict: true });
  } catch (error) {
    throw new ResourceError('registry-image-invalid-image', `${shownAs} is neither a directory nor a readable tarball: ${(error as Error).message}`, 'point `image` at an OCI layout directory or an OCI/docker image tarball');
  }
  if (await exists(join(unpacked, 'index.json'))) return loadLayout(unpacked, shownAs);
  if (await exists(join(unpacked, 'manifest.json'))) return loadDockerArchive(unpacked, join(scratch, 'gzipped'), shownAs);
  throw new ResourceError('registry-image-invalid-image', `the tarball ${shownAs} holds neither an OCI layout (index.json) nor docker save output (manifest.json)`, 'build the image with a tool that writes OCI or docker tarballs (oci-build-task, buildah, docker save)');
}

async function loadLayout(dir: string, shownAs: string): Promise<LocalImage> {
  const invalid = (why: string): ResourceError =>
    new ResourceError('registry-image-invalid-layout', `${shownAs} is not a usable OCI image layout: ${why}`, 'point `image` at the directory that holds oci-layout and index.json, or at an image tarball');
  const indexBytes = await readFile(join(dir, 'index.json')).catch(() => {
    throw invalid('it has no index.json');
  });
  const index = parseManifest(indexBytes, OCI_INDEX, `${shownAs}/index.json`);
  if (index.kind !== 'index') throw invalid('index.json is not an image index');
  if (index.manifests.length !== 1) {
    throw new ResourceError(
      'registry-image-ambiguous-layout',
      `${shownAs} lists ${index.manifests.length} manifests in index.json; a put pushes exactly one image or multi-platform index`,
      'write a single image (or one index of all platforms) into the layout',
    );
  }

  const children: LocalManifest[] = [];
  const blobs = new Map<string, BlobSource>();
  const blobPath = (digest: string): string => join(dir, 'blobs', ...digest.split(':'));
  const addBlob = async (descriptor: Descriptor): Promise<void> => {
    if (blobs.has(descriptor.digest)) return;
    const file = blobPath(descriptor.digest);
    const size = await stat(file).then(
      (stats) => stats.size,
      () => {
        throw invalid(`the blob ${descriptor.digest} is missing`);
      },
    );
    if (size !== descriptor.size) throw invalid(`the blob ${descriptor.digest} is ${size} bytes, not ${descriptor.size}`);
    blobs.set(descriptor.digest, fileBlob(descriptor.digest, file, size));
  };
  const readManifest = async (descriptor: Descriptor): Promise<LocalManifest> => {
    const bytes = await readFile(blobPath(descriptor.digest)).catch(() => {
      throw invalid(`the manifest ${descriptor.digest} is missing`);
    });
    verifyBytes(bytes, descriptor.digest, `the manifest ${descriptor.digest} in ${shownAs}`);
    const manifest = parseManifest(bytes, descriptor.mediaType, `the manifest ${descriptor.digest} in ${shownAs}`);
    if (manifest.kind === 'index') {
      for (const entry of manifest.manifests) children.push(await readManifest(entry));
    } else {
      for (const blob of [manifest.config, ...manifest.layers]) await addBlob(blob);
    }
    return { digest: descriptor.digest, mediaType: manifest.mediaType, bytes };
  };
  const root = await readManifest(index.manifests[0] as Descriptor);
  return { root, children, blobs: [...blobs.values()] };
}

/**
 * `docker save` output (manifest.json naming a config and layer tars) as a Docker v2 image.
 * Uncompressed layers are gzipped first, as `docker push` does.
 */
async function loadDockerArchive(dir: string, gzipDir: string, shownAs: string): Promise<LocalImage> {
  const invalid = (why: string): ResourceError =>
    new ResourceError('registry-image-invalid-image', `${shownAs} is not a usable docker image tarball: ${why}`, 'save exactly one image with `docker save IMAGE -o image.tar`');
  let entries: Array<{ Config?: unknown; Layers?: unknown }>;
  try {
    entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw invalid('manifest.json is not JSON');
  }
  if (!Array.isArray(entries) || entries.length !== 1) throw invalid(`manifest.json lists ${Array.isArray(entries) ? entries.length : 'no'} images, not one`);
  const entry = entries[0] as { Config?: unknown; Layers?: unknown };
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || !entry.Layers.every((layer) => typeof layer === 'string')) throw invalid('its entry lacks Config or Layers');

  const insideDir = (name: string): string => {
    if (name.startsWith('/') || name.split('/').includes('..')) throw invalid(`it names ${name}, outside the tarball`);
    return join(dir, name);
  };
  const configBytes = await readFile(insideDir(entry.Config)).catch(() => {
    throw invalid(`the config ${String(entry.Config)} is missing`);
  });
  const config = { mediaType: DOCKER_CONFIG, digest: digestOf(configBytes), size: configBytes.length };
  await mkdir(gzipDir, { recursive: true });
  const layers: Descriptor[] = [];
  const blobs = new Map<string, BlobSource>([[config.digest, bufferBlob(config.digest, configBytes)]]);
  for (const [index, name] of (entry.Layers as string[]).entries()) {
    let file = insideDir(name);
    if (!(await startsWith(file, GZIP_MAGIC))) {
      const gzipped = join(gzipDir, `${index}.tar.gz`);
      await pipeline(createReadStream(file), createGzip(), createWriteStream(gzipped));
      file = gzipped;
    }
    const { digest, size } = await hashFile(file);
    layers.push({ mediaType: DOCKER_LAYER_GZIP, digest, size });
    blobs.set(digest, fileBlob(digest, file, size));
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers }));
  return { root: { digest: digestOf(bytes), mediaType: DOCKER_MANIFEST, bytes }, children: [], blobs: [...blobs.values()] };
}

function fileBlob(digest: string, file: string, size: number): BlobSource {
  return { digest, size, open: (range) => createReadStream(file, range) };
}

function bufferBlob(digest: string, bytes: Buffer): BlobSource {
  return {
    digest,
    size: bytes.length,
    open: (range) => {
      return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
    },
  };
}

async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

async function startsWith(file: string, magic: Buffer): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(magic.length), 0, magic.length, 0);
    return bytesRead === magic.length && buffer.equals(magic);
  } finally {
    await handle.close();
  }
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
