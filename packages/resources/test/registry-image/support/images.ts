import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';

/** One entry of a test layer, in the order it appears in the tar. */
export type LayerEntry =
  | { path: string; file: string | Buffer; mode?: number }
  | { path: string; dir: true; mode?: number }
  | { path: string; symlink: string }
  | { path: string; hardlink: string };

export interface ImageSpec {
  layers: LayerEntry[][];
  env?: string[];
  user?: string;
  labels?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface Blob {
  digest: string;
  bytes: Buffer;
}

export interface BuiltImage {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  config: Blob;
  layers: Blob[];
  platform: { os: string; architecture: string; variant?: string };
}

export interface BuiltIndex {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  images: BuiltImage[];
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A gzipped layer tar with exactly these entries, in this order. */
export async function layerTarGz(entries: readonly LayerEntry[]): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-layer-'));
  try {
    for (const entry of entries) {
      const target = join(dir, entry.path);
      mkdirSync(dirname(target), { recursive: true });
      if ('file' in entry) {
        writeFileSync(target, entry.file);
        if (entry.mode !== undefined) chmodSync(target, entry.mode);
      } else if ('dir' in entry) {
        mkdirSync(target, { recursive: true });
        if (entry.mode !== undefined) chmodSync(target, entry.mode);
      } else if ('symlink' in entry) symlinkSync(entry.symlink, target);
      else linkSync(join(dir, entry.hardlink), target);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of tar.c({ cwd: dir, gzip: true, noDirRecurse: true, mtime: new Date(0) }, entries.map((entry) => entry.path))) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = await Promise.all(spec.layers.map(async (entries) => blob(await layerTarGz(entries))));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        ...platform,
        config: { Env: spec.env ?? ['PATH=/usr/bin:/bin'], User: spec.user ?? '', Labels: spec.labels ?? {} },
        rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256(gunzipSync(layer.bytes))) },
      }),
    ),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
      layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.bytes.length })),
    }),
  );
  return { digest: sha256(manifest), mediaType: OCI_MANIFEST, manifest, config, layers, platform };
}

export function buildIndex(images: BuiltImage[]): BuiltIndex {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((image) => ({ mediaType: image.mediaType, digest: image.digest, size: image.manifest.length, platform: image.platform })),
    }),
  );
  return { digest: sha256(manifest), mediaType: OCI_INDEX, manifest, images };
}

function blob(bytes: Buffer): Blob {
  return { digest: sha256(bytes), bytes };
}

function writeBlob(dir: string, digest: string, bytes: Buffer): void {
  const file = join(dir, 'blobs', ...digest.split(':'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

/** An OCI image layout directory holding the image (or index) under `tag`. */
export function writeOciLayout(dir: string, root: BuiltImage | BuiltIndex, tag = 'latest'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const images = 'images' in root ? root.images : [root];
  if ('images' in root) writeBlob(dir, root.digest, root.manifest);
  for (const image of images) {
    writeBlob(dir, image.digest, image.manifest);
    writeBlob(dir, image.config.digest, image.config.bytes);
    for (const layer of image.layers) writeBlob(dir, layer.digest, layer.bytes);
  }
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: root.mediaType, digest: root.digest, size: root.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
}

/** The layout as a tarball, as oci-build-task writes `image.tar`. */
export async function writeOciTarball(file: string, root: BuiltImage | BuiltIndex): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-oci-tar-'));
  try {
    writeOciLayout(dir, root);
    await tar.c({ cwd: dir, file }, ['oci-layout', 'index.json', 'blobs']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `docker save` output for the image: config JSON, uncompressed layer tars, manifest.json. */
export async function writeDockerArchive(file: string, image: BuiltImage, repoTag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-docker-tar-'));
  try {
    const configName = `${image.config.digest.slice(7)}.json`;
    writeFileSync(join(dir, configName), image.config.bytes);
    const layerNames = image.layers.map((layer, index) => {
      const name = `${index}/layer.tar`;
      mkdirSync(join(dir, String(index)));
      writeFileSync(join(dir, name), gunzipSync(layer.bytes));
      return name;
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]));
    await tar.c({ cwd: dir, file }, ['manifest.json', configName, ...layerNames]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
