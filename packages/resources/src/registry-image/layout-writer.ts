import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor } from './manifest.js';
import type { RegistryClient } from './registry-client.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Writes an OCI image layout directory: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`. */
export class LayoutWriter {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  blobPath(digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string];
    return join(this.dir, 'blobs', algorithm, hex);
  }

  async writeBytes(digest: string, bytes: Buffer): Promise<void> {
    await mkdir(join(this.blobPath(digest), '..'), { recursive: true });
    await writeFile(this.blobPath(digest), bytes);
  }

  /** Downloads a blob unless the layout has it (layers shared between platforms come once). */
  async download(client: RegistryClient, descriptor: Descriptor): Promise<void> {
    const target = this.blobPath(descriptor.digest);
    if (await access(target).then(() => true, () => false)) return;
    await mkdir(join(target, '..'), { recursive: true });
    // Verified into a side file and renamed, so a half-written blob never sits under its digest.
    const partial = `${target}.partial`;
    await client.downloadBlob(descriptor, partial);
    await rename(partial, target);
  }

  async writeIndex(manifests: Descriptor[]): Promise<void> {
    await writeFile(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 2));
  }
}
