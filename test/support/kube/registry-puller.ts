import { createRegistryImageType } from '../../../packages/resources/src/registry-image/index.js';
import { testContext } from '../../../packages/resources/test/support/context.js';
import { leaseImageResource } from '../../../packages/engine/src/executors/sandbox/image-resource.js';
import { ImageStore } from '../../../packages/engine/src/executors/sandbox/image-store.js';
import { createLogger } from '../../../packages/engine/src/logging.js';
import type { ImagePuller } from './kubelet.js';

/**
 * The simulated node's image pulls: `host/repo@sha256:…` fetched from a real registry (tests
 * use Debian's docker-registry on 127.0.0.1, plain http) through registry-image, unpacked
 * once per digest into `root`, as a node keeps pulled images.
 */
export async function registryImagePuller(root: string): Promise<ImagePuller> {
  const store = await ImageStore.open({ root, maxBytes: 2 ** 32, logger: createLogger({ level: 'silent' }) });
  const type = createRegistryImageType();
  return async (reference, signal) => {
    const at = reference.lastIndexOf('@');
    if (at === -1) throw new Error(`the simulated node pulls only by digest, not ${reference}`);
    const repository = reference.slice(0, at);
    const digest = reference.slice(at + 1);
    const lease = await leaseImageResource({
      resource: { type: 'registry-image', source: { repository, insecure: true }, version: { digest, tag: 'latest' } },
      type,
      context: testContext({ signal }),
      store,
      location: `image ${reference}`,
    });
    // The node keeps pulled images for the simulator's life; the lease only guards eviction.
    return { rootfs: lease.rootfs, config: lease.config };
  };
}
