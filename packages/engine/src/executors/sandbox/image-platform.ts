import { arch, platform } from 'node:os';
import { WeirError } from '../../errors.js';
import type { ImageConfig } from './image-directory.js';

/** Node's names for this machine → the OCI names images are tagged with. */
const OCI_ARCHITECTURE: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This machine as an OCI platform, e.g. `linux/amd64`. */
export function hostPlatform(): { os: string; architecture: string } {
  return { os: platform(), architecture: OCI_ARCHITECTURE[arch()] ?? arch() };
}

/**
 * Refuses an image built for another OS or CPU: without an emulator, its programs cannot run
 * here, and exec would only say "Exec format error". An image whose metadata names no platform
 * (an artifact a task wrote) is taken as it is.
 */
export function requireHostPlatform(config: ImageConfig, what: string, host = hostPlatform()): void {
  const image = config.platform;
  if (image === undefined) return;
  if (image.os === host.os && image.architecture === host.architecture) return;
  throw new WeirError('image-platform-mismatch', `${what} is built for ${image.os}/${image.architecture}, and this machine is ${host.os}/${host.architecture}`, {
    hint: `push a ${host.os}/${host.architecture} image (or a multi-platform index that has one), or set platform: {os: ${host.os}, architecture: ${host.architecture}} in image_resource.source to pick it from an index`,
  });
}
