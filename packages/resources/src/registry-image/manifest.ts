import { ResourceError } from '../interface.js';
import { OCI_INDEX, OCI_MANIFEST, isImageManifestType, isIndexType } from './media-types.js';
import { isValidDigest } from './reference.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

/** What Concourse (and docker) pick from a multi-arch image when nothing else is said. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * Reads an image manifest or index. The media type comes from the document when it names one,
 * else from the Content-Type it was served with, else from its shape (OCI allows omitting it).
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined, what: string): Manifest {
  const invalid = (why: string): ResourceError =>
    new ResourceError('registry-image-invalid-manifest', `${what} is not a valid image manifest: ${why}`, 'check that the image was pushed by an OCI-compliant tool');
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('it is not JSON');
  }
  if (typeof document !== 'object' || document === null) throw invalid('it is not a JSON object');
  if (document.schemaVersion === 1) {
    throw new ResourceError('registry-image-schema1-unsupported', `${what} is a Docker schema 1 manifest`, 'push the image again with a current docker or buildah; schema 1 is deprecated');
  }
  const declared = typeof document.mediaType === 'string' ? document.mediaType : contentType?.split(';')[0]?.trim();
  const mediaType = declared && (isIndexType(declared) || isImageManifestType(declared)) ? declared : Array.isArray(document.manifests) ? OCI_INDEX : OCI_MANIFEST;
  if (isIndexType(mediaType)) {
    if (!Array.isArray(document.manifests)) throw invalid('an index without `manifests`');
    return { kind: 'index', mediaType, manifests: document.manifests.map((entry) => descriptor(entry, invalid)) };
  }
  if (!Array.isArray(document.layers) || document.config === undefined) throw invalid('a manifest without `config` and `layers`');
  return { kind: 'image', mediaType, config: descriptor(document.config, invalid), layers: document.layers.map((entry) => descriptor(entry, invalid)) };
}

function descriptor(value: unknown, invalid: (why: string) => ResourceError): Descriptor {
  if (typeof value !== 'object' || value === null) throw invalid('a descriptor is not an object');
  const entry = value as Record<string, unknown>;
  if (typeof entry.digest !== 'string' || !isValidDigest(entry.digest)) throw invalid(`the digest ${JSON.stringify(entry.digest)} is malformed`);
  if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) throw invalid(`the size of ${entry.digest} is not a byte count`);
  const result: Descriptor = { mediaType: typeof entry.mediaType === 'string' ? entry.mediaType : '', digest: entry.digest, size: entry.size };
  const platform = entry.platform as Record<string, unknown> | undefined;
  if (platform && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    result.platform = { os: platform.os, architecture: platform.architecture, ...(typeof platform.variant === 'string' && { variant: platform.variant }) };
  }
  if (typeof entry.annotations === 'object' && entry.annotations !== null) result.annotations = entry.annotations as Record<string, string>;
  return result;
}

/**
 * The entry of a multi-arch index for a platform. A requested variant must match; without one,
 * the first entry for the OS and architecture wins, the order in which builders list them.
 */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor | undefined {
  return index.manifests.find(
    (entry) =>
      entry.platform !== undefined &&
      entry.platform.os === platform.os &&
      entry.platform.architecture === platform.architecture &&
      (platform.variant === undefined || entry.platform.variant === platform.variant),
  );
}

export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
