import { ResourceError } from '../interface.js';
import { isIndexType } from './media-types.js';
import type { FetchedManifest, RegistryClient } from './registry-client.js';

/**
 * Points tags at a digest already in the registry, by putting its manifest bytes exactly as
 * stored, so the digest cannot change. From another repository of the same registry, the blobs
 * are mounted (linked by the registry, nothing copied) and an index's manifests put first.
 */
export async function promoteImage(client: RegistryClient, from: string, digest: string, tags: readonly string[], log: (line: string) => void): Promise<void> {
  const fetch = async (reference: string): Promise<FetchedManifest> => {
    const fetched = await client.fetchManifest(reference, from);
    if (fetched === undefined) {
      throw new ResourceError('registry-image-promote-missing', `${from}@${reference} is not in the registry any more`, 'promote a version that still exists; check what deleted it');
    }
    return fetched;
  };
  const top = await fetch(digest);
  if (from !== client.path) {
    let mounted = 0;
    const copyInto = async (fetched: FetchedManifest): Promise<void> => {
      if (fetched.manifest.kind === 'index') {
        for (const entry of fetched.manifest.manifests) await copyInto(await fetch(entry.digest));
      } else {
        for (const blob of [fetched.manifest.config, ...fetched.manifest.layers]) {
          if (await client.blobExists(blob.digest)) continue;
          if (!(await client.mountBlob(blob.digest, from))) {
            throw new ResourceError(
              'registry-image-mount-refused',
              `the registry would not mount ${blob.digest} from ${from} into ${client.path}`,
              'give the user pull access to the source repository, or push the image to this repository instead of promoting it',
            );
          }
          mounted++;
        }
      }
      if (fetched !== top) await client.putManifest(fetched.digest, fetched.bytes, fetched.mediaType);
    };
    await copyInto(top);
    log(`mounted ${mounted} blob${mounted === 1 ? '' : 's'} from ${from}`);
  }
  for (const tag of tags) await client.putManifest(tag, top.bytes, top.mediaType);
  log(`promoted ${from}@${digest}${isIndexType(top.mediaType) ? ' (multi-platform)' : ''} to ${client.path} as ${tags.join(', ')}`);
}
