import { mapConcurrently } from './limiter.js';
import type { LocalImage } from './local-image.js';
import type { RegistryClient } from './registry-client.js';

const BLOB_UPLOADS_IN_FLIGHT = 3;

export interface PushOptions {
  /** Blobs larger than this go up in chunks of this size. */
  chunkSize: number;
  log: (line: string) => void;
}

/**
 * Pushes an image: blobs the repository already has are skipped (HEAD), the rest uploaded;
 * then an index's manifests by digest; the tags last, so no tag ever names an incomplete image.
 */
export async function pushImage(client: RegistryClient, image: LocalImage, tags: readonly string[], options: PushOptions): Promise<string> {
  let uploadedBytes = 0;
  const uploaded = await mapConcurrently(image.blobs, BLOB_UPLOADS_IN_FLIGHT, async (blob) => {
    if (await client.blobExists(blob.digest)) return false;
    await client.uploadBlob(blob, options.chunkSize);
    uploadedBytes += blob.size;
    return true;
  });
  const count = uploaded.filter(Boolean).length;
  options.log(`uploaded ${count} blob${count === 1 ? '' : 's'} (${formatBytes(uploadedBytes)}), ${image.blobs.length - count} already in ${client.path}`);
  for (const child of image.children) await client.putManifest(child.digest, child.bytes, child.mediaType);
  for (const tag of tags) await client.putManifest(tag, image.root.bytes, image.root.mediaType);
  options.log(`pushed ${client.path}@${image.root.digest} as ${tags.join(', ')}`);
  return image.root.digest;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
